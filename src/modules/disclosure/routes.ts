import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { downloadHandlers } from './handlers/downloads';
import { pageHandlers } from './handlers/pages';
import { ocdsHandlers } from './ocds/handlers';

/** Public disclosure (公开) and open data: every route is public by design, read-only (GET), and
 *  shows only what is published: signed contracts, closed evaluations, released payments. */
export function disclosureRoutes(deps: AppDeps) {
  const pages = pageHandlers(deps);
  const downloads = downloadHandlers(deps);
  const ocds = ocdsHandlers(deps);
  return routeTable([
    { method: 'get', path: '/public', access: 'public', handler: pages.front },
    { method: 'get', path: '/public/streets/:streetId/:year', access: 'public', handler: pages.streetYear },
    { method: 'get', path: '/public/streets/:streetId/:year/charts/:chart', access: 'public', handler: pages.chart },
    { method: 'get', path: '/public/contracts', access: 'public', handler: pages.contracts },
    { method: 'get', path: '/public/contracts.csv', access: 'public', handler: downloads.contractsCsv },
    { method: 'get', path: '/public/payments.csv', access: 'public', handler: downloads.paymentsCsv },
    { method: 'get', path: '/public/contracts/:contractId', access: 'public', handler: pages.contract },
    { method: 'get', path: '/ocds/releases/:file', access: 'public', handler: ocds.release },
    { method: 'get', path: '/ocds/records/:file', access: 'public', handler: ocds.record },
    { method: 'get', path: '/ocds/packages/:file', access: 'public', handler: ocds.bulk },
  ]);
}
