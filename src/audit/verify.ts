import type { Knex } from 'knex';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { hashEvent, headMac, keyedHashEvent, type AuditRow } from './audit';
import {
  SEALED_LOG_OPENED,
  ZERO_HASH,
  sealedEventHash,
  sealedHeadMac,
  type SealedEventRow,
  type SealedLogRow,
} from './sealed';

/** A count and head hash noted outside the database (printed, published, archived). */
export interface Checkpoint {
  count: number;
  hash: string;
}

/** passes: the chain's event number `count` has exactly that hash; diverges: it has another;
 *  missing: the chain is shorter than the checkpoint (events were cut off after it was noted). */
export type CheckpointOutcome = 'passes' | 'diverges' | 'missing';

export type VerifyResult = (
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: number; reason: 'hash' | 'link' | 'gap' | 'head' | 'unkeyed' }
) & { checkpoint?: CheckpointOutcome };

const BATCH = 1000;

/** Between batches the walk lets the event loop serve other requests (a million events are a
 *  thousand batches: without this, one verification would hold every page for seconds). */
const breathe = () => nextTurn();

/**
 * Walks the chain in id order (in batches, so memory stays flat) and reports the first broken link.
 * Events from the head's keyed_from_id on must carry the HMAC under AUDIT_KEY; earlier ones (an
 * install from before the key) their SHA-256. The head row must carry its own HMAC. With a
 * checkpoint, also says whether the chain still passes through it.
 */
export async function verifyAuditChain(
  db: Knex,
  options: { checkpoint?: Checkpoint; upTo?: number } = {},
): Promise<VerifyResult> {
  const { checkpoint } = options;
  // "Up to": walk events 1..upTo only (an auditor's noted checkpoint); what came later is not asked.
  const upTo = options.upTo !== undefined ? options.upTo : Number.POSITIVE_INFINITY;
  const head = await db('audit_chain_head').where({ id: 1 }).first();
  const keyedFrom = head && head.keyed_from_id !== null ? Number(head.keyed_from_id) : Number.POSITIVE_INFINITY;
  let prevHash = '0'.repeat(64);
  let expectedId = 1;
  let count = 0;
  let seen: CheckpointOutcome | undefined =
    checkpoint && checkpoint.count === 0 ? (checkpoint.hash === prevHash ? 'passes' : 'diverges') : undefined;
  const withCheckpoint = <T extends object>(r: T) => (checkpoint ? { ...r, checkpoint: seen ?? 'missing' } : r);
  for (;;) {
    if (expectedId > upTo) break;
    if (expectedId > 1) await breathe();
    const rows: AuditRow[] = await db('audit_events')
      .where('id', '>=', expectedId)
      .modify((qb) => {
        if (Number.isFinite(upTo)) qb.where('id', '<=', upTo);
      })
      .orderBy('id')
      .limit(BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      const id = Number(row.id);
      if (id !== expectedId) return withCheckpoint({ ok: false, count, brokenAt: expectedId, reason: 'gap' } as const);
      if (row.prev_hash !== prevHash)
        return withCheckpoint({ ok: false, count, brokenAt: id, reason: 'link' } as const);
      const expected = id >= keyedFrom ? keyedHashEvent({ ...row, id }) : hashEvent({ ...row, id });
      if (expected !== row.hash) return withCheckpoint({ ok: false, count, brokenAt: id, reason: 'hash' } as const);
      prevHash = row.hash;
      expectedId += 1;
      count += 1;
      if (checkpoint && checkpoint.count === id) seen = row.hash === checkpoint.hash ? 'passes' : 'diverges';
    }
  }
  if (Number.isFinite(upTo)) return withCheckpoint({ ok: true, count } as const);
  // Deleting the newest events leaves a valid shorter chain; the head row still remembers the last
  // one, and its HMAC stops anyone without the key from rewinding it.
  if (!head || Number(head.last_event_id) !== count || head.last_hash !== prevHash) {
    return withCheckpoint({ ok: false, count, brokenAt: count + 1, reason: 'head' } as const);
  }
  if (head.head_mac === null || head.head_mac === undefined) {
    // Not keyed yet: only an empty chain (a fresh database) may be in that state; start-up marks an
    // older install's chain as keyed from its next event (markAuditChainKeyed).
    if (count > 0) return withCheckpoint({ ok: false, count, brokenAt: 1, reason: 'unkeyed' } as const);
  } else if (head.head_mac !== headMac(count, prevHash, Number(head.keyed_from_id))) {
    return withCheckpoint({ ok: false, count, brokenAt: count + 1, reason: 'head' } as const);
  }
  return withCheckpoint({ ok: true, count } as const);
}

export type SealedVerifyResult =
  | { ok: true; logs: number; opened: number; events: number }
  | {
      ok: false;
      logs: number;
      opened: number;
      events: number;
      callId: number;
      seq: number;
      reason: 'hash' | 'link' | 'gap' | 'head' | 'commit';
    };

/**
 * Walks every sealed log (src/audit/sealed.ts): each event's HMAC and link, the numbering, the head
 * and its HMAC; for an opened log, the main-chain event that committed to it must name the same
 * count and head. Logs are read in call order, their events in batches.
 */
export async function verifySealedLogs(db: Knex): Promise<SealedVerifyResult> {
  let logs = 0;
  let opened = 0;
  let events = 0;
  let afterCall = 0;
  for (;;) {
    const heads: SealedLogRow[] = await db('sealed_audit_logs')
      .where('call_id', '>', afterCall)
      .orderBy('call_id')
      .limit(BATCH);
    if (heads.length === 0) break;
    const commitIds = heads.filter((h) => h.committed_event_id !== null).map((h) => Number(h.committed_event_id));
    const commits = new Map<number, AuditRow>();
    if (commitIds.length) {
      for (const e of (await db('audit_events').whereIn('id', commitIds)) as AuditRow[]) commits.set(Number(e.id), e);
    }
    for (const log of heads) {
      const callId = Number(log.call_id);
      afterCall = callId;
      logs += 1;
      const broken = (seq: number, reason: 'hash' | 'link' | 'gap' | 'head' | 'commit') => ({
        ok: false as const,
        logs,
        opened,
        events,
        callId,
        seq,
        reason,
      });
      let prev = ZERO_HASH;
      let seq = 0;
      await breathe();
      for (;;) {
        const rows: SealedEventRow[] = await db('sealed_audit_events')
          .where('call_id', callId)
          .andWhere('seq', '>', seq)
          .orderBy('seq')
          .limit(BATCH);
        if (rows.length === 0) break;
        for (const row of rows) {
          if (Number(row.seq) !== seq + 1) return broken(seq + 1, 'gap');
          if (row.prev_hash !== prev) return broken(seq + 1, 'link');
          if (sealedEventHash(row) !== row.hash) return broken(seq + 1, 'hash');
          prev = row.hash;
          seq += 1;
          events += 1;
        }
      }
      const committed = log.committed_event_id === null ? null : Number(log.committed_event_id);
      if (
        Number(log.event_count) !== seq ||
        log.last_hash !== prev ||
        log.head_mac !== sealedHeadMac(callId, seq, prev, committed)
      )
        return broken(seq + 1, 'head');
      if (committed !== null) {
        opened += 1;
        const event = commits.get(committed);
        const noted = event?.after_json
          ? (JSON.parse(event.after_json) as { sealed_log?: { count: number; head: string } }).sealed_log
          : undefined;
        if (
          !event ||
          event.action !== SEALED_LOG_OPENED ||
          event.subject_id !== String(callId) ||
          noted?.count !== seq ||
          noted?.head !== prev
        )
          return broken(seq, 'commit');
      }
    }
  }
  return { ok: true, logs, opened, events };
}

/** The main chain and every sealed log: what `npm run audit:verify` and /audit/verify report. */
export interface FullVerifyResult {
  ok: boolean;
  main: VerifyResult;
  sealed: SealedVerifyResult;
  /** The head hash, when the main chain verifies: note it with the count as a checkpoint. */
  head: string | null;
  /** The stored daily checkpoints (checkpoints.ts), each still a point of the chain? */
  checkpoints: StoredCheckpointsResult;
}

export async function verifyAll(db: Knex, options: { checkpoint?: Checkpoint } = {}): Promise<FullVerifyResult> {
  const main = await verifyAuditChain(db, options);
  const sealed = await verifySealedLogs(db);
  const head = main.ok ? String((await db('audit_chain_head').where({ id: 1 }).first('last_hash')).last_hash) : null;
  const checkpoints = await verifyStoredCheckpoints(db);
  return {
    ok: main.ok && sealed.ok && checkpoints.ok && main.checkpoint !== 'diverges' && main.checkpoint !== 'missing',
    main,
    sealed,
    head,
    checkpoints,
  };
}

export type ThroughResult =
  | { outcome: CheckpointOutcome; count: number }
  | { outcome: 'broken'; count: number; brokenAt: number; reason: string };

/**
 * Whether the chain still passes through a checkpoint (event id + hash) noted earlier: events 1..id
 * are re-checked (keys, links, no gap) and event id must carry that hash. Later events are not
 * walked, so the cost is bounded by the checkpoint, not by the chain's length today.
 */
export async function verifyThrough(db: Knex, checkpoint: Checkpoint): Promise<ThroughResult> {
  const result = await verifyAuditChain(db, { checkpoint, upTo: checkpoint.count });
  if (!result.ok) return { outcome: 'broken', count: result.count, brokenAt: result.brokenAt, reason: result.reason };
  return { outcome: result.checkpoint ?? 'missing', count: result.count };
}

/** Every stored daily checkpoint must lie on the chain as it is (checked after the chain itself):
 *  the first day whose checkpoint names an event that is gone or has another hash, if any. */
export type StoredCheckpointsResult = { ok: true; count: number } | { ok: false; count: number; day: string };

export async function verifyStoredCheckpoints(db: Knex): Promise<StoredCheckpointsResult> {
  const [{ n }] = await db('audit_checkpoints').count({ n: '*' });
  const bad = await db('audit_checkpoints as c')
    .leftJoin('audit_events as e', 'e.id', 'c.event_id')
    .where((qb) => qb.where('c.event_id', 0).andWhereNot('c.hash', ZERO_HASH))
    .orWhere((qb) =>
      qb.where('c.event_id', '>', 0).andWhere((q2) => q2.whereNull('e.hash').orWhereRaw('e.hash <> c.hash')),
    )
    .orderBy('c.day')
    .first('c.day');
  return bad ? { ok: false, count: Number(n), day: String(bad.day) } : { ok: true, count: Number(n) };
}
