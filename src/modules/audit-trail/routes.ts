import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { PUBLIC_CHECKPOINTS_JSON_PATH, PUBLIC_CHECKPOINTS_PATH, PUBLIC_CHECKPOINT_VERIFY_PATH } from '../../audit';
import { eventHandlers } from './events';
import { publicCheckpointHandlers } from './public-checkpoints';
import { verifyHandlers } from './verification';

/** The audit trail, read-only: the administrator sees every event, an auditor those of their streets. */
export function auditTrailRoutes(deps: AppDeps) {
  const events = eventHandlers(deps);
  const { verify } = verifyHandlers(deps);
  const checkpoints = publicCheckpointHandlers(deps);

  return routeTable([
    { method: 'get', path: PUBLIC_CHECKPOINTS_PATH, access: 'public', handler: checkpoints.list },
    { method: 'get', path: PUBLIC_CHECKPOINTS_JSON_PATH, access: 'public', handler: checkpoints.json },
    { method: 'get', path: PUBLIC_CHECKPOINT_VERIFY_PATH, access: 'public', handler: checkpoints.verify },
    { method: 'get', path: '/audit', access: ['admin', 'auditor'], handler: events.list },
    { method: 'get', path: '/audit/export.csv', access: ['admin', 'auditor'], handler: events.exportEvents },
    { method: 'get', path: '/audit/verify', access: ['admin', 'auditor'], handler: verify },
    {
      method: 'get',
      path: '/audit/sealed-logs/:callId',
      access: ['admin', 'auditor', 'manager'],
      handler: events.sealedLog,
    },
    { method: 'get', path: '/audit/:id', access: ['admin', 'auditor'], handler: events.show },
  ]);
}
