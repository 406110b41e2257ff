import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { verifyAuditChain } from '../../audit/verify';
import { NotFound } from '../../web/errors';
import { routeTable } from '../../web/routes';
import { pageNumber } from '../../shared/pagination';
import { findEvent, listEvents } from './queries';

/** The audit trail, read-only: the administrator sees every event, an auditor those of their streets. */
export function auditTrailRoutes(deps: AppDeps) {
  const streetsOf = (req: Request) => (req.user!.role === 'admin' ? null : req.user!.streetOfficeIds);

  async function list(req: Request, res: Response) {
    const action = typeof req.query.action === 'string' ? req.query.action.slice(0, 64) : '';
    const page = await listEvents(deps.db, streetsOf(req), { action: action || undefined }, pageNumber(req.query.page), deps.clock.now());
    res.render('audit-trail/list', { title: req.t('auditTrail.title'), page, action });
  }

  async function show(req: Request, res: Response) {
    const id = Number(req.params.id);
    const event = Number.isInteger(id) ? await findEvent(deps.db, streetsOf(req), id, deps.clock.now()) : undefined;
    if (!event) throw new NotFound();
    res.render('audit-trail/show', { title: req.t('auditTrail.eventTitle', { id }), event });
  }

  async function verify(req: Request, res: Response) {
    const result = await verifyAuditChain(deps.db);
    res.render('audit-trail/verify', { title: req.t('auditTrail.verifyTitle'), result });
  }

  return routeTable([
    { method: 'get', path: '/audit', access: ['admin', 'auditor'], handler: list },
    { method: 'get', path: '/audit/verify', access: ['admin', 'auditor'], handler: verify },
    { method: 'get', path: '/audit/:id', access: ['admin', 'auditor'], handler: show },
  ]);
}
