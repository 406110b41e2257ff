import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { reportHandlers } from './handlers';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Milestone reports and their evaluation. Access here is the floor; every handler and service
 *  checks the record (the contract's organization writes; the street's managers read and return;
 *  the street's auditors and the administrator read; anyone else 404). */
export function evaluationRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const reports = reportHandlers(deps);
  const readers = ['org_staff', 'manager', 'auditor', 'admin'] as const;
  const base = '/contracts/:contractId/milestones/:seq/report';
  return routeTable([
    { method: 'get', path: base, access: readers, handler: reports.show },
    { method: 'post', path: base, access: ['org_staff'], handler: [acceptFiles([{ name: 'files', maxCount: deps.config.uploadMaxFiles }]), csrfAfterUpload, reports.save] },
    { method: 'post', path: `${base}/return`, access: ['manager'], handler: reports.giveBack },
    { method: 'post', path: '/contracts/:contractId/milestones/:seq/evaluation/manager-score', access: ['manager'], handler: reports.score },
    { method: 'post', path: '/contracts/:contractId/milestones/:seq/evaluation/closing', access: ['manager'], handler: reports.close },
    { method: 'get', path: `${base}/files/:fileId`, access: readers, handler: reports.download },
  ]);
}
