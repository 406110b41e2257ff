import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { requireSecondFactor } from '../../web/second-factor';
import { milestoneHandlers } from './handlers/milestone';
import { paymentHandlers } from './handlers/payments';
import { proposalHandlers } from './handlers/proposals';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Payment release (拨付). Access here is the floor; every handler and service checks the record
 *  (the street office's managers propose, its approvers decide — never their own proposal — and
 *  record vouchers and the return of a correction's money; its auditors and the administrator read; the organization uploads invoices and
 *  sees its payments; anyone else 404). Deciding, recording a voucher or a return need the second factor. */
export function paymentRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const milestone = milestoneHandlers(deps);
  const proposals = proposalHandlers(deps);
  const payments = paymentHandlers(deps);
  const street = ['manager', 'approver', 'auditor', 'admin'] as const;
  const base = '/contracts/:contractId/milestones/:seq';
  return routeTable([
    { method: 'get', path: `${base}/payment`, access: [...street, 'org_staff'], handler: milestone.show },
    { method: 'post', path: `${base}/payment`, access: ['manager'], handler: milestone.propose },
    {
      method: 'post',
      path: `${base}/invoices`,
      access: ['org_staff'],
      handler: [acceptFiles([{ name: 'file', maxCount: 1 }]), csrfAfterUpload, milestone.upload],
    },
    {
      method: 'get',
      path: `${base}/invoices/:invoiceId`,
      access: [...street, 'org_staff'],
      handler: milestone.invoice,
    },
    { method: 'get', path: '/payments', access: street, handler: payments.list },
    { method: 'get', path: '/payments/queue', access: ['approver'], handler: proposals.queue },
    { method: 'get', path: '/payments/proposals/:proposalId', access: street, handler: proposals.show },
    {
      method: 'post',
      path: '/payments/proposals/:proposalId/approval',
      access: ['approver'],
      handler: [requireSecondFactor, proposals.approve],
    },
    {
      method: 'post',
      path: '/payments/proposals/:proposalId/rejection',
      access: ['approver'],
      handler: [requireSecondFactor, proposals.reject],
    },
    {
      method: 'post',
      path: '/payments/proposals/:proposalId/return',
      access: ['approver'],
      handler: [requireSecondFactor, proposals.recordReturn],
    },
    { method: 'get', path: '/payments/:paymentId', access: street, handler: payments.show },
    {
      method: 'post',
      path: '/payments/:paymentId/voucher',
      access: ['approver'],
      handler: [requireSecondFactor, payments.voucher],
    },
    { method: 'post', path: '/payments/:paymentId/reversals', access: ['manager'], handler: payments.reversal },
    { method: 'post', path: '/payments/:paymentId/decision', access: ['manager'], handler: payments.decision },
    { method: 'get', path: '/my/payments', access: ['org_staff'], handler: payments.mine },
  ]);
}
