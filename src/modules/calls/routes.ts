import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { editingHandlers, MAX_DOCUMENTS } from './editing';
import { pageHandlers } from './pages';
import { publicationHandlers } from './publication';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Calls for bids and venture calls: the public browses published calls; a street office's managers
 *  draft, publish, amend and cancel their own. Access here is the floor; each handler checks the call. */
export function callRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const pages = pageHandlers(deps);
  const editing = editingHandlers(deps);
  const publication = publicationHandlers(deps);
  const managers = ['manager'] as const;
  const upload = acceptFiles([{ name: 'documents', maxCount: MAX_DOCUMENTS }]);
  return routeTable([
    { method: 'get', path: '/calls', access: 'public', handler: pages.list },
    { method: 'get', path: '/my/calls', access: ['manager', 'admin'], handler: pages.mine },
    { method: 'get', path: '/calls/new', access: managers, handler: editing.newForm },
    { method: 'post', path: '/calls', access: managers, handler: [upload, csrfAfterUpload, editing.create] },
    { method: 'get', path: '/calls/:id', access: 'public', handler: pages.show },
    { method: 'get', path: '/calls/:id/edit', access: managers, handler: editing.editForm },
    { method: 'post', path: '/calls/:id', access: managers, handler: [upload, csrfAfterUpload, editing.update] },
    { method: 'post', path: '/calls/:id/publication', access: managers, handler: publication.publish },
    { method: 'post', path: '/calls/:id/cancellation', access: managers, handler: publication.cancel },
    { method: 'get', path: '/calls/:id/documents/:documentId', access: 'public', handler: pages.download },
  ]);
}
