import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { requireSecondFactor } from '../../web/second-factor';
import { findingHandlers } from './finding-handlers';
import { reportHandlers } from './handlers';
import { REPORT_READERS } from './policy';

/**
 * Auditor reports (审计报表) and findings (审计意见). Access here is the floor; every handler
 * resolves the street offices of the request against the reader's (404 for another's). Downloads
 * (unredacted figures and names) and the findings' writes ask for the step-up second factor.
 */
export function reportRoutes(deps: AppDeps) {
  const r = reportHandlers(deps);
  const f = findingHandlers(deps);
  const readers = REPORT_READERS;
  return routeTable([
    { method: 'get', path: '/reports', access: readers, handler: r.index },
    { method: 'get', path: '/reports/register', access: readers, handler: r.page('register') },
    {
      method: 'get',
      path: '/reports/register/export',
      access: readers,
      handler: [requireSecondFactor, r.download('register')],
    },
    { method: 'get', path: '/reports/funds', access: readers, handler: r.page('funds') },
    {
      method: 'get',
      path: '/reports/funds/export',
      access: readers,
      handler: [requireSecondFactor, r.download('funds')],
    },
    { method: 'get', path: '/reports/payments', access: readers, handler: r.page('payments') },
    {
      method: 'get',
      path: '/reports/payments/export',
      access: readers,
      handler: [requireSecondFactor, r.download('payments')],
    },
    {
      method: 'get',
      path: '/reports/contracts/:contractId/dossier.pdf',
      access: readers,
      handler: [requireSecondFactor, r.dossier],
    },
    { method: 'get', path: '/findings', access: readers, handler: f.list },
    { method: 'get', path: '/findings/new', access: ['auditor'], handler: f.form },
    { method: 'post', path: '/findings', access: ['auditor'], handler: [requireSecondFactor, f.create] },
    { method: 'get', path: '/findings/:findingId', access: readers, handler: f.show },
    {
      method: 'post',
      path: '/findings/:findingId/answer',
      access: ['manager'],
      handler: [requireSecondFactor, f.answer],
    },
  ]);
}
