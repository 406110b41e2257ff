import type { Knex } from 'knex';
import type { Queryable } from '../db/knex';

/**
 * Public daily checkpoints of the main audit chain. The first main-chain event of a Beijing day
 * writes, in its own transaction and under the chain head's lock (so before the event itself), the
 * chain's count and head hash as they stood at the end of the days before: one row per day, the day
 * its primary key, so two app instances cannot write two. No timer and no page view writes one; a
 * day without any audited change has none. Sealed-log events (bids before the deadline) never write
 * one: the checkpoint's appearance would tell a watcher that something happened while the public
 * head did not move.
 */
export interface CheckpointRow {
  day: string;
  event_id: number;
  hash: string;
  written_at: string;
}

export interface PublicCheckpoint {
  day: string;
  eventId: number;
  hash: string;
  writtenAt: string;
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** 2026-12-01T16:30Z -> "2026-12-02" (the Beijing calendar day). */
export function beijingDay(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Called by recordAudit with the head it has just locked, before the new event is written: when the
 * day has no checkpoint yet, notes the head as it stands. One primary-key read otherwise.
 * ON CONFLICT DO NOTHING, so even a writer that did not hold the lock could not abort the change.
 */
export async function writeDailyCheckpoint(
  trx: Knex.Transaction,
  head: { last_event_id: number; last_hash: string },
  now: Date,
): Promise<void> {
  const day = beijingDay(now);
  if (await trx('audit_checkpoints').where({ day }).first('day')) return;
  await trx('audit_checkpoints')
    .insert({ day, event_id: Number(head.last_event_id), hash: head.last_hash, written_at: now.toISOString() })
    .onConflict('day')
    .ignore();
}

export function toPublic(row: CheckpointRow): PublicCheckpoint {
  return { day: row.day, eventId: Number(row.event_id), hash: row.hash, writtenAt: row.written_at };
}

/** Newest first, `before` a day (keyset), at most `limit`. */
export async function listCheckpoints(
  db: Queryable,
  options: { before?: string; limit: number },
): Promise<PublicCheckpoint[]> {
  const rows: CheckpointRow[] = await db('audit_checkpoints')
    .modify((qb) => {
      if (options.before) qb.where('day', '<', options.before);
    })
    .orderBy('day', 'desc')
    .limit(options.limit)
    .select('day', 'event_id', 'hash', 'written_at');
  return rows.map(toPublic);
}

/** What the district front page shows: the live head (count and hash) and the newest checkpoint.
 *  The main chain holds no event of a sealed bid (those are in the sealed logs until the opening),
 *  so neither figure moves when someone bids. */
export async function publicAuditHead(
  db: Queryable,
): Promise<{ eventCount: number; headHash: string; latestCheckpoint?: PublicCheckpoint }> {
  const head = await db('audit_chain_head').where({ id: 1 }).first('last_event_id', 'last_hash');
  const [latest] = await listCheckpoints(db, { limit: 1 });
  return {
    eventCount: head ? Number(head.last_event_id) : 0,
    headHash: head ? String(head.last_hash) : '0'.repeat(64),
    ...(latest ? { latestCheckpoint: latest } : {}),
  };
}
