import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { verifyAll, verifyThrough, type Checkpoint } from '../../audit/verify';
import { PUBLIC_CHECKPOINTS_PATH } from '../../audit';

/** The verification page of the chain and the sealed logs. */
export function verifyHandlers(deps: AppDeps) {
  /**
   * Verifies the main chain and every sealed log, and shows the events checked, the head hash and
   * the time (the count and head are public anyway, on the checkpoint page). With a noted checkpoint
   * (event id and hash; GET, it changes nothing) it re-checks the chain up to that event only and
   * says whether it still passes through it. The walk yields between batches of 1,000 events.
   */
  async function verify(req: Request, res: Response) {
    const values = {
      count: typeof req.query.count === 'string' ? req.query.count.trim().slice(0, 20) : '',
      hash: typeof req.query.hash === 'string' ? req.query.hash.trim().slice(0, 80) : '',
    };
    const errors: Record<string, string> = {};
    let checkpoint: Checkpoint | undefined;
    if (values.count || values.hash) {
      if (!/^\d{1,12}$/.test(values.count)) errors.count = req.t('auditTrail.checkpoint.countInvalid');
      if (!/^[0-9a-fA-F]{64}$/.test(values.hash)) errors.hash = req.t('auditTrail.checkpoint.hashInvalid');
      if (!Object.keys(errors).length) checkpoint = { count: Number(values.count), hash: values.hash.toLowerCase() };
    }
    const through = checkpoint ? await verifyThrough(deps.db, checkpoint) : null;
    const result = checkpoint ? null : await verifyAll(deps.db);
    const stored = result ? result.checkpoints : null;
    res.status(Object.keys(errors).length ? 422 : 200);
    res.render('audit-trail/verify', {
      title: req.t('auditTrail.verifyTitle'),
      result,
      stored,
      through,
      checkpoint,
      values,
      errors,
      checkedAt: deps.clock.now(),
      publicPath: PUBLIC_CHECKPOINTS_PATH,
    });
  }

  return { verify };
}
