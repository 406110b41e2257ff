import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { catalogHandlers } from './handlers';

const keepers = ['manager', 'admin'] as const;

/** The catalogue: everyone browses and reads it; managers keep their street office's items and the
 *  district administrator keeps district-wide items (and any other). */
export function catalogRoutes(deps: AppDeps) {
  const h = catalogHandlers(deps);
  return routeTable([
    { method: 'get', path: '/catalog', access: 'public', handler: h.list },
    { method: 'get', path: '/catalog/new', access: keepers, handler: h.newForm },
    { method: 'post', path: '/catalog', access: keepers, handler: h.create },
    { method: 'get', path: '/catalog/:id', access: 'public', handler: h.show },
    { method: 'get', path: '/catalog/:id/edit', access: keepers, handler: h.editForm },
    { method: 'post', path: '/catalog/:id', access: keepers, handler: h.update },
    { method: 'post', path: '/catalog/:id/retirement', access: keepers, handler: h.retire },
    { method: 'post', path: '/catalog/:id/reactivation', access: keepers, handler: h.reactivate },
  ]);
}
