import { createTestDb, type TestDb } from '../helpers/db';
import { recordAudit, systemActor } from '../../src/audit/audit';
import { verifyAll, verifyAuditChain, verifyStoredCheckpoints, verifyThrough } from '../../src/audit/verify';

/** Issue 13: verification names the first bad event of a changed, a deleted and a reordered chain;
 *  "verify up to" checks only the events up to a noted checkpoint; the walk lets others run. */
let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.destroy(), 60_000);

async function append(n: number, at = new Date('2026-11-25T02:00:00.000Z')) {
  await t.db.transaction(async (trx) => {
    for (let i = 0; i < n; i++)
      await recordAudit(
        trx,
        systemActor,
        { action: 'test.event', subjectType: 'test', subjectId: i, after: { i } },
        at,
      );
  });
}

async function withoutTriggers(work: () => Promise<void>) {
  if (t.dialect === 'sqlite') {
    await t.db.raw('DROP TRIGGER audit_events_no_update');
    await t.db.raw('DROP TRIGGER audit_events_no_delete');
  } else {
    await t.db.raw('DROP TRIGGER audit_events_no_change ON audit_events');
  }
  await work();
}

const hashOf = async (id: number) => String((await t.db('audit_events').where({ id }).first('hash')).hash);

it('names a changed event', async () => {
  await append(10);
  await withoutTriggers(() => t.db('audit_events').where({ id: 6 }).update({ actor_label: 'someone else' }));
  expect(await verifyAuditChain(t.db)).toEqual({ ok: false, count: 5, brokenAt: 6, reason: 'hash' });
});

it('names a deleted event', async () => {
  await append(10);
  await withoutTriggers(() => t.db('audit_events').where({ id: 4 }).delete());
  expect(await verifyAuditChain(t.db)).toEqual({ ok: false, count: 3, brokenAt: 4, reason: 'gap' });
});

it('names the first of two reordered events', async () => {
  await append(10);
  // Swap events 7 and 8 (their ids change places; every column else moves with the row).
  await withoutTriggers(async () => {
    const [a, b] = await t.db('audit_events').whereIn('id', [7, 8]).orderBy('id');
    await t.db('audit_events').whereIn('id', [7, 8]).delete();
    await t.db('audit_events').insert([
      { ...b, id: 7 },
      { ...a, id: 8 },
    ]);
  });
  expect(await verifyAuditChain(t.db)).toEqual({ ok: false, count: 6, brokenAt: 7, reason: 'link' });
});

it('verifies up to a noted event: later damage is not its business, earlier damage is', async () => {
  await append(10);
  const noted = { count: 5, hash: await hashOf(5) };
  await append(5);
  expect(await verifyThrough(t.db, noted)).toEqual({ outcome: 'passes', count: 5 });
  expect(await verifyThrough(t.db, { count: 5, hash: 'f'.repeat(64) })).toEqual({ outcome: 'diverges', count: 5 });
  expect(await verifyThrough(t.db, { count: 50, hash: noted.hash })).toEqual({ outcome: 'missing', count: 15 });
  await withoutTriggers(() => t.db('audit_events').where({ id: 12 }).update({ after_json: '{"i":0}' }));
  expect(await verifyThrough(t.db, noted)).toEqual({ outcome: 'passes', count: 5 });
  await t.db('audit_events').where({ id: 3 }).update({ after_json: '{"i":0}' });
  expect(await verifyThrough(t.db, noted)).toMatchObject({ outcome: 'broken', brokenAt: 3, reason: 'hash' });
});

it('checks that every stored daily checkpoint still lies on the chain', async () => {
  await append(3, new Date('2026-11-25T02:00:00Z'));
  await append(3, new Date('2026-11-26T02:00:00Z'));
  expect(await verifyStoredCheckpoints(t.db)).toEqual({ ok: true, count: 2 });
  // Someone rewrites history before the 11-26 checkpoint, with the key: the chain verifies, the checkpoint does not.
  if (t.dialect === 'sqlite') await t.db.raw('DROP TRIGGER audit_checkpoints_no_update');
  else await t.db.raw('DROP TRIGGER audit_checkpoints_no_change ON audit_checkpoints');
  await t
    .db('audit_checkpoints')
    .where({ day: '2026-11-26' })
    .update({ hash: 'e'.repeat(64) });
  expect(await verifyStoredCheckpoints(t.db)).toEqual({ ok: false, count: 2, day: '2026-11-26' });
});

it('lets other work run between its batches', async () => {
  await append(2500);
  let turns = 0;
  const timer = setInterval(() => (turns += 1), 0);
  const result = await verifyAll(t.db);
  clearInterval(timer);
  expect(result.ok).toBe(true);
  expect(result.main.count).toBe(2500);
  // Three batches of 1,000: the event loop got its turns in between (a timer fired).
  expect(turns).toBeGreaterThan(0);
}, 180_000); // 2,500 chained events: slow on a shared PostgreSQL
