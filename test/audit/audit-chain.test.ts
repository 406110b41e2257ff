import { createTestDb, type TestDb } from '../helpers/db';
import { recordAudit, systemActor } from '../../src/audit/audit';
import { verifyAuditChain } from '../../src/audit/verify';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.destroy());

const now = new Date('2026-11-25T02:00:00.000Z');
async function append(n: number) {
  for (let i = 0; i < n; i++) {
    await t.db.transaction((trx) =>
      recordAudit(trx, systemActor, { action: 'test.event', subjectType: 'test', subjectId: i, after: { i } }, now),
    );
  }
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

describe('the audit chain', () => {
  it('verifies an intact chain and counts its events', async () => {
    await append(5);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 5 });
  });

  it('refuses to update or delete an event in the database itself', async () => {
    await append(1);
    await expect(t.db('audit_events').update({ action: 'forged' })).rejects.toThrow(/append-only/);
    await expect(t.db('audit_events').delete()).rejects.toThrow(/append-only/);
  });

  it('detects an edited event, naming the first broken one', async () => {
    await append(5);
    await withoutTriggers(() => t.db('audit_events').where({ id: 3 }).update({ after_json: '{"i":999}' }));
    expect(await verifyAuditChain(t.db)).toEqual({ ok: false, count: 2, brokenAt: 3, reason: 'hash' });
  });

  it('detects a deleted event in the middle and one at the end', async () => {
    await append(5);
    await withoutTriggers(() => t.db('audit_events').where({ id: 2 }).delete());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: 2, reason: 'gap' });
    await t.db('audit_events').where('id', '>', 2).delete();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: 2, reason: 'head' });
  });

  it('rolls the event back with the transaction that failed', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await recordAudit(trx, systemActor, { action: 'test.rolled_back', subjectType: 'test' }, now);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.db('audit_events').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 0 });
  });

  it('keeps one chain when many transactions append at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.db.transaction(async (trx) => {
          await recordAudit(trx, systemActor, { action: 'test.concurrent', subjectType: 'test', subjectId: i }, now);
        }),
      ),
    );
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 20 });
  });
});
