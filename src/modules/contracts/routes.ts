import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { requireSecondFactor } from '../../web/second-factor';
import { amendmentHandlers } from './handlers/amendments';
import { documentHandlers } from './handlers/documents';
import { draftHandlers } from './handlers/drafts';
import { pageHandlers } from './handlers/pages';
import { signingHandlers } from './handlers/signing';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Contracts (合同管理). Access here is the floor; every handler and service checks the record
 *  (the street office's managers, the organization's staff once sent, auditors of that street,
 *  the district administrator; anyone else gets 404). */
export function contractRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const pages = pageHandlers(deps);
  const drafts = draftHandlers(deps);
  const signing = signingHandlers(deps, pages);
  const amendments = amendmentHandlers(deps, pages);
  const documents = documentHandlers(deps);
  const manager = ['manager'] as const;
  const staff = ['org_staff'] as const;
  const overseers = ['manager', 'auditor', 'admin'] as const;
  const readers = ['manager', 'org_staff', 'auditor', 'admin'] as const;

  return routeTable([
    { method: 'post', path: '/awards/:awardId/items/:itemId/contract', access: manager, handler: drafts.create },
    { method: 'get', path: '/contracts', access: overseers, handler: pages.list },
    { method: 'get', path: '/my/contracts', access: staff, handler: pages.mine },
    { method: 'get', path: '/contracts/:contractId', access: readers, handler: pages.show },
    { method: 'get', path: '/contracts/:contractId/edit', access: manager, handler: drafts.editForm },
    { method: 'post', path: '/contracts/:contractId', access: manager, handler: drafts.save },
    { method: 'post', path: '/contracts/:contractId/sending', access: manager, handler: signing.send },
    { method: 'post', path: '/contracts/:contractId/return', access: staff, handler: signing.giveBack },
    { method: 'post', path: '/contracts/:contractId/acceptance', access: staff, handler: signing.accept },
    { method: 'post', path: '/contracts/:contractId/signature', access: manager, handler: signing.sign },
    { method: 'post', path: '/contracts/:contractId/termination', access: manager, handler: signing.terminate },
    { method: 'get', path: '/contracts/:contractId/amendments/new', access: manager, handler: amendments.form },
    { method: 'post', path: '/contracts/:contractId/amendments', access: manager, handler: amendments.propose },
    {
      method: 'post',
      path: '/contracts/:contractId/amendments/:versionId/acceptance',
      access: staff,
      handler: amendments.accept,
    },
    {
      method: 'post',
      path: '/contracts/:contractId/amendments/:versionId/rejection',
      access: staff,
      handler: amendments.reject,
    },
    {
      method: 'post',
      path: '/contracts/:contractId/amendments/:versionId/withdrawal',
      access: manager,
      handler: amendments.withdraw,
    },
    // Unredacted documents: a step-up second factor (branch mfa) belongs on these two routes.
    {
      method: 'get',
      path: '/contracts/:contractId/contract.pdf',
      access: readers,
      handler: [requireSecondFactor, documents.pdf],
    },
    {
      method: 'get',
      path: '/contracts/:contractId/scan',
      access: readers,
      handler: [requireSecondFactor, documents.scan],
    },
    {
      method: 'post',
      path: '/contracts/:contractId/scan',
      access: manager,
      handler: [acceptFiles([{ name: 'scan', maxCount: 1 }]), csrfAfterUpload, documents.uploadScan],
    },
    {
      method: 'get',
      path: '/public/contracts/:contractId/contract.pdf',
      access: 'public',
      handler: documents.publicPdf,
    },
  ]);
}
