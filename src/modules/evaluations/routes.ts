import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { reportHandlers } from './handlers';
import { ratingHandlers } from './rating-handlers';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Milestone reports and their evaluation. Access here is the floor; every handler and service
 *  checks the record (the contract's organization writes; the street's managers read and return;
 *  the street's auditors and the administrator read; anyone else 404). */
export function evaluationRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const reports = reportHandlers(deps);
  const ratings = ratingHandlers(deps);
  // Reviewers reach the page as third-party evaluators of a milestone they are assigned to.
  const readers = ['org_staff', 'manager', 'auditor', 'admin', 'reviewer'] as const;
  const assessors = ['org_staff', 'reviewer'] as const;
  const ev = '/contracts/:contractId/milestones/:seq/evaluation';
  const base = '/contracts/:contractId/milestones/:seq/report';
  return routeTable([
    { method: 'get', path: base, access: readers, handler: reports.show },
    {
      method: 'post',
      path: base,
      access: ['org_staff'],
      handler: [acceptFiles([{ name: 'files', maxCount: deps.config.uploadMaxFiles }]), csrfAfterUpload, reports.save],
    },
    { method: 'post', path: `${base}/return`, access: ['manager'], handler: reports.giveBack },
    {
      method: 'post',
      path: '/contracts/:contractId/milestones/:seq/evaluation/manager-score',
      access: ['manager'],
      handler: reports.score,
    },
    {
      method: 'post',
      path: '/contracts/:contractId/milestones/:seq/evaluation/closing',
      access: ['manager'],
      handler: reports.close,
    },
    { method: 'post', path: `${ev}/assessors`, access: ['manager'], handler: reports.assign },
    { method: 'post', path: `${ev}/declaration`, access: assessors, handler: reports.declaration },
    {
      method: 'post',
      path: `${ev}/assessor-score`,
      access: assessors,
      handler: [acceptFiles([{ name: 'opinion', maxCount: 1 }]), csrfAfterUpload, reports.assessorScore],
    },
    { method: 'get', path: `${ev}/opinion-file`, access: readers, handler: reports.opinion },
    { method: 'post', path: `${ev}/review`, access: ['org_staff'], handler: reports.askReview },
    { method: 'post', path: `${ev}/review/answer`, access: ['manager'], handler: reports.answer },
    { method: 'post', path: `${ev}/rating-round`, access: ['manager'], handler: ratings.open },
    { method: 'post', path: `${ev}/rating-round/closing`, access: ['manager'], handler: ratings.close },
    { method: 'get', path: `${ev}/rating-round`, access: ['manager', 'auditor', 'admin'], handler: ratings.print },
    // The citizen's page: anyone with the round's unguessable link, without signing in.
    { method: 'get', path: '/r/:token', access: 'public', handler: ratings.showRate },
    { method: 'post', path: '/r/:token', access: 'public', handler: ratings.submitRate },
    { method: 'get', path: `${ev}/report.pdf`, access: readers, handler: reports.assessmentPdf },
    { method: 'get', path: `${base}/files/:fileId`, access: readers, handler: reports.download },
  ]);
}
