import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';
import { paymentDashboard, paymentInvariants, reconcile } from '../../src/modules/payments';

// Whole contracts (signed PDFs) per test: slow on a loaded machine.
jest.setTimeout(120_000);

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.destroy());

it('seeds a released advance (proposed by the manager, approved by the approver, voucher recorded) and a correction waiting in the approver queue', async () => {
  const now = new Date('2026-11-25T02:00:00.000Z');
  const config = {
    ...loadConfig({ NODE_ENV: 'test' }),
    uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-seed-')),
  };
  expect(await seedIfEmpty({ db: testDb.db, config, clock: { now: () => now } })).toBe(true);
  const db = testDb.db;
  const contract = await db('contracts').where({ number: 'DS-2026-0001' }).first('id', 'street_office_id');
  const [manager, approver] = await Promise.all(
    ['manager.dongshan', 'approver.dongshan'].map((u) => db('users').where({ username: u }).first('id')),
  );
  const payments = await db('payments').where({ contract_id: contract.id });
  expect(payments).toMatchObject([
    { kind: 'release', milestone_seq: 1, proposed_by: manager.id, approved_by: approver.id },
  ]);
  expect(await db('payment_vouchers').where({ payment_id: payments[0].id })).toHaveLength(1);
  expect((await db('contract_milestones').where({ contract_id: contract.id, seq: 1 }).first()).settlement).toBe('paid');
  const queue = await db('payment_proposals').where({ status: 'proposed' });
  expect(queue).toMatchObject([{ kind: 'reversal', reverses_payment_id: payments[0].id, proposed_by: manager.id }]);
  const user = {
    id: Number(approver.id),
    username: 'approver.dongshan',
    displayName: '',
    role: 'approver' as const,
    streetOfficeId: Number(contract.street_office_id),
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: [Number(contract.street_office_id)],
  };
  expect((await paymentDashboard({ db }, user))!.queue).toHaveLength(1);
  // Every street office with contracts has an approver.
  const without = await db('street_offices as s')
    .whereExists(db('contracts as c').whereRaw('c.street_office_id = s.id'))
    .whereNotExists(db('users as u').whereRaw('u.street_office_id = s.id').where('u.role', 'approver'));
  expect(without).toEqual([]);
  expect(await reconcile(db)).toEqual([]);
  expect(await paymentInvariants(db)).toEqual([]);
  fs.rmSync(config.uploadDir, { recursive: true, force: true });
});
