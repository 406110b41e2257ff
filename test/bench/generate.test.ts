import { createTestDb, type TestDb } from '../helpers/db';
import { BENCH_AUDIT_KEY, generate, volumesFor } from '../../bench/generate';
import { Progress } from '../../bench/progress';
import { useAuditKey } from '../../src/audit/audit';
import { verifyAuditChain } from '../../src/audit/verify';
import { negativeHoldings, reconcile } from '../../src/modules/funds/reconcile';
import { paymentInvariants } from '../../src/modules/payments/invariants';
import { TEST_AUDIT_KEY } from '../../src/config';

/** The benchmark's generator writes through the app's own tables: every CHECK, key and trigger holds, the
 *  audit chain verifies as the app verifies it, and the balance rows equal what the ledger adds up to. */
let t: TestDb;
let data: Awaited<ReturnType<typeof generate>>;
const quiet = new Progress({ isTTY: false, write: () => true } as unknown as NodeJS.WriteStream);
beforeAll(async () => {
  t = await createTestDb();
  data = await generate(t.db, 0.0004, quiet);
}, 120_000);
afterAll(async () => {
  useAuditKey(TEST_AUDIT_KEY);
  await t.destroy();
});

test('the volumes of the smallest scale', () => {
  const v = volumesFor(0.0004);
  expect(data.counts.calls).toBe(v.calls);
  expect(data.counts.bids).toBe(Math.round(v.calls * 0.9) * v.bidsPerCall);
  expect(data.counts.contracts).toBe((v.calls / 2) * v.itemsPerAward);
  expect(data.counts.contract_milestones).toBe(data.counts.contracts * 4);
  expect(data.counts.audit_events).toBe(data.counts.fund_entries + data.counts.bids);
  expect(volumesFor(1)).toMatchObject({ streets: 100, organizations: 5000, calls: 50_000 });
});

test('the audit chain verifies with the bench key, bid events included', async () => {
  useAuditKey(BENCH_AUDIT_KEY);
  const result = await verifyAuditChain(t.db);
  expect(result).toMatchObject({ ok: true });
  expect(Number((await t.db('audit_events').where({ subject_type: 'bid' }).count({ n: '*' }))[0].n)).toBe(
    data.counts.bids,
  );
});

test('the balance rows reconcile with the ledger entries', async () => {
  expect(await reconcile(t.db)).toEqual([]);
  const [{ n }] = await t.db('fund_accounts').count({ n: '*' });
  expect(Number(n)).toBeGreaterThan(0);
});

test('every settled milestone has its approved proposal and payment, and the payments agree with the ledger (funds:reconcile)', async () => {
  expect(await paymentInvariants(t.db)).toEqual([]);
  expect(await negativeHoldings(t.db)).toEqual([]);
  const settled = Number((await t.db('contract_milestones').whereNotNull('settlement').count({ n: '*' }))[0].n);
  expect(settled).toBeGreaterThan(0);
  expect(data.counts.payments).toBe(settled);
  expect(data.counts.payment_proposals).toBe(settled);
  const [{ n }] = await t.db('fund_entries').where({ kind: 'payment' }).count({ n: '*' });
  expect(data.counts.payment_sources).toBe(Number(n));
});

test('the app can insert after the generated rows (sequences moved past explicit ids)', async () => {
  const [row] = await t
    .db('street_offices')
    .insert({
      name: '新街道',
      district: '玄武区',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    })
    .returning('id');
  expect(Number(typeof row === 'object' ? row.id : row)).toBe(data.volumes.streets + 1);
});
