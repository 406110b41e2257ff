import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import { csrfAfterUpload } from '../../web/csrf';
import { routeTable } from '../../web/routes';
import { exclusionHandlers } from './exclusions';
import { bidHandlers } from './handlers';
import { bidPanelLocals } from './panel';
import { FILE_FIELDS } from './schemas';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;

/** Bids (投标/申报) and street-office exclusions. Access here is the floor; each handler checks the
 *  record (own organization; sealed until the deadline: anyone else gets 404). */
export function bidRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {
  const bids = bidHandlers(deps);
  const exclusions = exclusionHandlers(deps);
  const staff = ['org_staff'] as const;
  const readers = ['org_staff', 'manager', 'admin', 'auditor', 'reviewer'] as const;
  const managers = ['manager'] as const;
  const upload = acceptFiles(FILE_FIELDS);

  const router = routeTable([
    { method: 'get', path: '/my/bids', access: staff, handler: bids.mine },
    { method: 'get', path: '/calls/:callId/bids/new', access: staff, handler: bids.newForm },
    { method: 'post', path: '/calls/:callId/bids', access: staff, handler: [upload, csrfAfterUpload, bids.create] },
    { method: 'get', path: '/bids/:bidRef', access: readers, handler: bids.show },
    { method: 'get', path: '/bids/:bidRef/edit', access: staff, handler: bids.editForm },
    { method: 'post', path: '/bids/:bidRef', access: staff, handler: [upload, csrfAfterUpload, bids.update] },
    { method: 'post', path: '/bids/:bidRef/withdrawal', access: staff, handler: bids.withdraw },
    { method: 'get', path: '/bids/:bidRef/files/:fileRef', access: readers, handler: bids.download },
    { method: 'post', path: '/bids/:bidRef/files/:fileRef/removal', access: staff, handler: bids.removeFile },
    { method: 'get', path: '/street-office/exclusions', access: managers, handler: exclusions.list },
    { method: 'post', path: '/street-office/exclusions', access: managers, handler: exclusions.create },
    {
      method: 'post',
      path: '/street-office/exclusions/:exclusionId/removal',
      access: managers,
      handler: exclusions.remove,
    },
  ]);
  // Not a route: for GET /calls/:id (the calls module's page) it only sets res.locals.bidPanel. This
  // router must be mounted before the calls router for that.
  router.use(bidPanelLocals(deps));
  return router;
}
