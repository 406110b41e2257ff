import { createTestDb, type TestDb } from '../helpers/db';
import { sealedBidFilter } from '../../src/modules/audit-trail/queries';

/**
 * The sealed-bid filter of the audit trail (issue 15) finds a bid by its primary key or its unique
 * reference. The query plan shows it: before, `CAST(b.id AS VARCHAR(40)) = e.subject_id` made
 * SQLite scan every bid for every bid event; now each is one index search.
 */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

const now = new Date('2026-12-01T00:00:00Z');
const OLD = `NOT (e.subject_type = 'bid' AND EXISTS (SELECT 1 FROM bids b JOIN calls c ON c.id = b.call_id
  WHERE (CAST(b.id AS VARCHAR(40)) = e.subject_id OR b.ref = e.subject_id) AND c.closes_at > ?))`;

async function plan(where: string, bindings: string[]): Promise<string> {
  const sql = `SELECT e.id FROM audit_events e WHERE ${where} ORDER BY e.id DESC LIMIT 51`;
  if (t.dialect === 'sqlite') {
    const rows = (await t.db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings)) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  }
  await t.db.raw('SET enable_seqscan = off'); // tiny tables: ask for the plan the indexes allow
  const result = (await t.db.raw(`EXPLAIN ${sql}`, bindings)) as { rows: { 'QUERY PLAN': string }[] };
  return result.rows.map((r) => r['QUERY PLAN']).join('\n');
}

it('searches bids by primary key and by reference, never scanning them', async () => {
  const [sql, bindings] = sealedBidFilter(t.db, now);
  const after = await plan(sql, bindings);
  const before = await plan(OLD, [now.toISOString()]);
  // Printed so the README's before/after can be checked against a real run.
  console.log(`sealed-bid filter, ${t.dialect}\nbefore:\n${before}\nafter:\n${after}`);
  if (t.dialect === 'sqlite') {
    // The old filter cannot use the bids' primary key: it scans every bid per event, or, with the calls
    // list's index calls (closes_at, id, status), every open call's bids per event.
    expect(before).toMatch(/SCAN b\b|SEARCH b USING INDEX bids_call_status_idx/);
    expect(before).not.toMatch(/SEARCH b USING INTEGER PRIMARY KEY/);
    expect(after).not.toMatch(/SCAN b\b/);
    expect(after).toMatch(/SEARCH b USING INTEGER PRIMARY KEY/);
    expect(after).toMatch(/SEARCH b USING (COVERING )?INDEX bids_ref_unique/);
  } else {
    // PostgreSQL may also turn the EXISTS into one hashed subplan over the open calls' bids, computed
    // once per query; either way no bid is converted to text and no scan of all bids is made per event.
    expect(after).not.toMatch(/Seq Scan on bids/);
    expect(after).not.toMatch(/::character varying/);
  }
});

it('does not fail on a subject that is a reference, not a number (PostgreSQL would on a plain cast)', async () => {
  const [sql, bindings] = sealedBidFilter(t.db, now);
  await t.db('audit_events').insert({
    id: 999,
    occurred_at: now.toISOString(),
    actor_label: 'x',
    action: 'bid.submit',
    subject_type: 'bid',
    subject_id: '3fa9c0ffee000001',
    prev_hash: 'p'.repeat(64),
    hash: 'h'.repeat(64),
  });
  const rows = await t.db('audit_events as e').whereRaw(sql, bindings).select('e.id');
  expect(rows.map((r: { id: number }) => Number(r.id))).toContain(999);
});
