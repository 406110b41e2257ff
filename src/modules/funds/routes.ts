import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { allocationHandlers } from './allocation-handlers';
import { pageHandlers } from './pages';

const READERS = ['manager', 'approver', 'admin', 'auditor'] as const;
const WRITERS = ['manager', 'admin'] as const;

/** Funds of each street office per year: the district overview, a street-year's balances and
 *  ledger, recording allocations and reversing them. Each handler checks the street office. */
export function fundsRoutes(deps: AppDeps) {
  const pages = pageHandlers(deps);
  const allocations = allocationHandlers(deps);
  return routeTable([
    { method: 'get', path: '/funds', access: READERS, handler: pages.overview },
    { method: 'get', path: '/funds/streets/:streetOfficeId/years/:year', access: READERS, handler: pages.streetYear },
    { method: 'get', path: '/funds/allocations/new', access: WRITERS, handler: allocations.allocationForm },
    { method: 'post', path: '/funds/allocations', access: WRITERS, handler: allocations.createAllocation },
    { method: 'get', path: '/funds/entries/:id/reversal', access: WRITERS, handler: allocations.reversalForm },
    { method: 'post', path: '/funds/entries/:id/reversal', access: WRITERS, handler: allocations.reverse },
  ]);
}
