import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { listCheckpoints, publicAuditHead } from '../../audit/checkpoints';
import { verifyThrough, type ThroughResult } from '../../audit/verify';
import { PUBLIC_CHECKPOINTS_PATH, PUBLIC_CHECKPOINT_VERIFY_PATH, PUBLIC_CHECKPOINTS_JSON_PATH } from '../../audit';
import { contentDisposition } from './downloads';

const PAGE = 31;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The public side of the audit trail (no sign-in): the live head, the daily checkpoints (page and
 * JSON download) and the check of a noted checkpoint. None of it reveals a sealed bid: bids before
 * their deadline write only to their call's sealed log, which moves neither the head nor a
 * checkpoint. No page view writes anything.
 */
export function publicCheckpointHandlers(deps: AppDeps) {
  async function list(req: Request, res: Response) {
    const before = typeof req.query.before === 'string' ? req.query.before : '';
    if (before && !DAY.test(before)) {
      res.status(422);
      return res.render('audit-trail/public-checkpoints', {
        title: req.t('auditTrail.public.title'),
        head: await publicAuditHead(deps.db),
        checkpoints: [],
        nextBefore: null,
        error: req.t('auditTrail.public.badDay'),
        paths: PATHS,
      });
    }
    const checkpoints = await listCheckpoints(deps.db, { before: before || undefined, limit: PAGE });
    const nextBefore = checkpoints.length === PAGE ? checkpoints[PAGE - 1].day : null;
    res.render('audit-trail/public-checkpoints', {
      title: req.t('auditTrail.public.title'),
      head: await publicAuditHead(deps.db),
      checkpoints,
      nextBefore,
      error: null,
      paths: PATHS,
    });
  }

  /** Every checkpoint, oldest first, written out in batches (one row a day: small, but unbounded). */
  async function json(req: Request, res: Response) {
    const head = await publicAuditHead(deps.db);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      contentDisposition(`审计链检查点-${deps.clock.now().toISOString().slice(0, 10)}.json`, 'audit-checkpoints.json'),
    );
    res.write(
      `{"generatedAt":${JSON.stringify(deps.clock.now().toISOString())},"head":${JSON.stringify({ eventCount: head.eventCount, headHash: head.headHash })},"checkpoints":[`,
    );
    let after = '';
    let first = true;
    for (;;) {
      const rows = await deps
        .db('audit_checkpoints')
        .where('day', '>', after)
        .orderBy('day')
        .limit(500)
        .select('day', 'event_id', 'hash', 'written_at');
      if (!rows.length) break;
      for (const r of rows) {
        res.write(
          `${first ? '' : ','}\n${JSON.stringify({ day: r.day, eventId: Number(r.event_id), hash: r.hash, writtenAt: r.written_at })}`,
        );
        first = false;
      }
      after = rows[rows.length - 1].day;
    }
    res.end('\n]}\n');
  }

  async function verify(req: Request, res: Response) {
    const values = {
      event: typeof req.query.event === 'string' ? req.query.event.trim().slice(0, 20) : '',
      hash: typeof req.query.hash === 'string' ? req.query.hash.trim().slice(0, 80) : '',
    };
    const errors: Record<string, string> = {};
    let result: ThroughResult | null = null;
    if (values.event || values.hash) {
      if (!/^\d{1,12}$/.test(values.event)) errors.event = req.t('auditTrail.public.eventInvalid');
      if (!/^[0-9a-fA-F]{64}$/.test(values.hash)) errors.hash = req.t('auditTrail.checkpoint.hashInvalid');
      if (!Object.keys(errors).length) {
        const outcome = await oneAtATime(deps, Number(values.event), values.hash.toLowerCase());
        if (outcome === 'busy') {
          res.status(503).setHeader('Retry-After', '5');
          return res.render('audit-trail/public-verify', {
            title: req.t('auditTrail.public.verifyTitle'),
            values,
            errors,
            result: null,
            busy: true,
            paths: PATHS,
          });
        }
        result = outcome;
      }
    }
    res.status(Object.keys(errors).length ? 422 : 200);
    res.render('audit-trail/public-verify', {
      title: req.t('auditTrail.public.verifyTitle'),
      values,
      errors,
      result,
      busy: false,
      paths: PATHS,
    });
  }

  return { list, json, verify };
}

const PATHS = {
  list: PUBLIC_CHECKPOINTS_PATH,
  json: PUBLIC_CHECKPOINTS_JSON_PATH,
  verify: PUBLIC_CHECKPOINT_VERIFY_PATH,
};

/**
 * Anyone may ask, and a check walks up to the checkpoint's event: one walk at a time per process
 * (the same question asked meanwhile shares its answer; another one is told to retry, 503), so
 * anonymous requests cannot pile up whole-chain walks.
 */
const running = new WeakMap<AppDeps['db'], { key: string; promise: Promise<ThroughResult> }>();
async function oneAtATime(deps: AppDeps, eventId: number, hash: string): Promise<ThroughResult | 'busy'> {
  const key = `${eventId}:${hash}`;
  const current = running.get(deps.db);
  if (current && current.key !== key) return 'busy';
  if (current) return current.promise;
  const promise = verifyThrough(deps.db, { count: eventId, hash }).finally(() => running.delete(deps.db));
  running.set(deps.db, { key, promise });
  return promise;
}
