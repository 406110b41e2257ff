import type { Knex } from 'knex';
import { hashEvent, type AuditRow } from './audit';

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenAt: number; reason: 'hash' | 'link' | 'gap' | 'head' };

const BATCH = 1000;

/** Walks the chain in id order (in batches, so memory stays flat) and reports the first broken link. */
export async function verifyAuditChain(db: Knex): Promise<VerifyResult> {
  let prevHash = '0'.repeat(64);
  let expectedId = 1;
  let count = 0;
  for (;;) {
    const rows: AuditRow[] = await db('audit_events').where('id', '>=', expectedId).orderBy('id').limit(BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      const id = Number(row.id);
      if (id !== expectedId) return { ok: false, count, brokenAt: expectedId, reason: 'gap' };
      if (row.prev_hash !== prevHash) return { ok: false, count, brokenAt: id, reason: 'link' };
      if (hashEvent({ ...row, id }) !== row.hash) return { ok: false, count, brokenAt: id, reason: 'hash' };
      prevHash = row.hash;
      expectedId += 1;
      count += 1;
    }
  }
  // Deleting the newest events leaves a valid shorter chain; the head row still remembers the last one.
  const head = await db('audit_chain_head').where({ id: 1 }).first();
  if (!head || Number(head.last_event_id) !== count || head.last_hash !== prevHash) {
    return { ok: false, count, brokenAt: count + 1, reason: 'head' };
  }
  return { ok: true, count };
}
