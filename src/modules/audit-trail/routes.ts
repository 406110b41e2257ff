import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { verifyAll, type Checkpoint } from '../../audit/verify';
import { NotFound } from '../../web/errors';
import { routeTable } from '../../web/routes';
import { pageNumber } from '../../shared/pagination';
import { findEvent, findOpenedSealedLog, listEvents, sealedLogEvents } from './queries';
import { SEALED_LOG_OPENED } from '../../audit/sealed';
import { PUBLIC_CHECKPOINTS_JSON_PATH, PUBLIC_CHECKPOINTS_PATH, PUBLIC_CHECKPOINT_VERIFY_PATH } from '../../audit';
import { publicCheckpointHandlers } from './public-checkpoints';

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
    const sealedLogCall = event.action === SEALED_LOG_OPENED ? Number(event.subject_id) : null;
    res.render('audit-trail/show', { title: req.t('auditTrail.eventTitle', { id }), event, sealedLogCall });
  }

  /**
   * Verifies the main chain and every sealed log. The administrator also sees the count and head
   * hash (a checkpoint to note) and may check a noted checkpoint (GET, it changes nothing). An
   * auditor sees only intact or broken: the district-wide count is not theirs to read (it would
   * tell them of other streets' activity), and a checkpoint field would let them find it out.
   */
  async function verify(req: Request, res: Response) {
    const admin = req.user!.role === 'admin';
    const values = { count: typeof req.query.count === 'string' ? req.query.count.trim().slice(0, 20) : '', hash: typeof req.query.hash === 'string' ? req.query.hash.trim().slice(0, 80) : '' };
    const errors: Record<string, string> = {};
    let checkpoint: Checkpoint | undefined;
    if (admin && (values.count || values.hash)) {
      if (!/^\d{1,12}$/.test(values.count)) errors.count = req.t('auditTrail.checkpoint.countInvalid');
      if (!/^[0-9a-fA-F]{64}$/.test(values.hash)) errors.hash = req.t('auditTrail.checkpoint.hashInvalid');
      if (!Object.keys(errors).length) checkpoint = { count: Number(values.count), hash: values.hash.toLowerCase() };
    }
    const result = await verifyAll(deps.db, { checkpoint });
    res.status(Object.keys(errors).length ? 422 : 200);
    res.render('audit-trail/verify', { title: req.t('auditTrail.verifyTitle'), result, admin, checkpoint, values, errors });
  }

  /** A call's sealed log of bid events, readable once the opening of bids committed to it, by those
   *  who may read its bids: the administrator, the street's auditors and the street's managers. */
  async function sealedLog(req: Request, res: Response) {
    const log = await findOpenedSealedLog(deps.db, streetsOf(req), Number(req.params.callId));
    if (!log) throw new NotFound();
    const page = await sealedLogEvents(deps.db, log.call_id, pageNumber(req.query.page));
    res.render('audit-trail/sealed-log', { title: req.t('auditTrail.sealedLog.title', { call: log.call_title }), log, page });
  }

  const checkpoints = publicCheckpointHandlers(deps);

  return routeTable([
    { method: 'get', path: PUBLIC_CHECKPOINTS_PATH, access: 'public', handler: checkpoints.list },
    { method: 'get', path: PUBLIC_CHECKPOINTS_JSON_PATH, access: 'public', handler: checkpoints.json },
    { method: 'get', path: PUBLIC_CHECKPOINT_VERIFY_PATH, access: 'public', handler: checkpoints.verify },
    { method: 'get', path: '/audit', access: ['admin', 'auditor'], handler: list },
    { method: 'get', path: '/audit/verify', access: ['admin', 'auditor'], handler: verify },
    { method: 'get', path: '/audit/sealed-logs/:callId', access: ['admin', 'auditor', 'manager'], handler: sealedLog },
    { method: 'get', path: '/audit/:id', access: ['admin', 'auditor'], handler: show },
  ]);
}
