import type { Role } from '../../../src/modules/accounts/roles';

/** Payments: managers propose, approvers decide and record vouchers and a correction's return, the organization uploads
 *  invoices and reads its own, auditors and the administrator read. In-depth refusals (another
 *  street, the proposer approving, an auditor writing) are in test/payments/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /contracts/:contractId/milestones/:seq/payment': { as: 'reviewer', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/payment': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/invoices': { as: 'manager', status: 403 },
  'GET /contracts/:contractId/milestones/:seq/invoices/:invoiceId': { as: 'anonymous', status: 303 },
  'GET /payments': { as: 'org_staff', status: 403 },
  'GET /payments/queue': { as: 'manager', status: 403 },
  'GET /payments/proposals/:proposalId': { as: 'org_staff', status: 403 },
  'POST /payments/proposals/:proposalId/approval': { as: 'manager', status: 403 },
  'POST /payments/proposals/:proposalId/rejection': { as: 'auditor', status: 403 },
  'POST /payments/proposals/:proposalId/return': { as: 'manager', status: 403 },
  'GET /payments/:paymentId': { as: 'reviewer', status: 403 },
  'POST /payments/:paymentId/voucher': { as: 'org_staff', status: 403 },
  'POST /payments/:paymentId/reversals': { as: 'approver', status: 403 },
  'POST /payments/:paymentId/decision': { as: 'auditor', status: 403 },
  'GET /my/payments': { as: 'manager', status: 403 },
};
export default refusals;
