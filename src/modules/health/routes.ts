import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';

/** For the load balancer: 200 when the database answers, 503 otherwise. No session, no page. */
export function healthRoutes({ db }: AppDeps) {
  async function healthz(_req: Request, res: Response) {
    try {
      await db.raw('select 1');
      res.status(200).json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  }
  return routeTable([{ method: 'get', path: '/healthz', access: 'public', handler: healthz }]);
}
