import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';
import { reconcile } from '../../src/modules/funds';

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.destroy());

it('seeds a signed contract with an advance and three milestones (one due soon), one waiting for the organization, and keeps the 月河 award in publicity', async () => {
  const now = new Date('2026-11-25T02:00:00.000Z');
  const config = {
    ...loadConfig({ NODE_ENV: 'test' }),
    uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-seed-')),
  };
  expect(await seedIfEmpty({ db: testDb.db, config, clock: { now: () => now } })).toBe(true);
  const db = testDb.db;
  expect(await db('street_offices').orderBy('short_code').pluck('short_code')).toEqual(['DS', 'LC', 'YH']);
  const contracts = await db('contracts').orderBy('seq').select('number', 'status', 'pdf_sha256', 'id');
  expect(contracts.map((c) => [c.number, c.status])).toEqual([
    ['DS-2026-0001', 'active'],
    ['DS-2026-0002', 'sent'],
  ]);
  expect(contracts[0].pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
  const ms = await db('contract_milestones').where({ contract_id: contracts[0].id }).orderBy('seq');
  // An advance and three milestones: four rows, the first evaluation due in five days, summing to the amount.
  expect(ms.map((m) => Boolean(m.advance))).toEqual([true, false, false, false]);
  expect(ms[1].due_date).toBe('2026-11-30');
  expect(ms.slice(1).every((m) => m.due_date > '2026-11-25' && m.pass_score !== null)).toBe(true);
  const amount = Number(
    (await db('contract_versions').where({ contract_id: contracts[0].id, status: 'current' }).first()).amount_fen,
  );
  expect(ms.reduce((s, m) => s + Number(m.amount_fen), 0)).toBe(amount);
  expect(ms.map((m) => Number(m.amount_fen))).toEqual([3_600_000, 3_600_000, 2_400_000, 2_400_000]);
  expect(
    (
      await db('awards as a')
        .join('calls as k', 'k.id', 'a.call_id')
        .join('street_offices as s', 's.id', 'k.street_office_id')
        .where('s.name', '月河街道')
        .first('a.status')
    ).status,
  ).toBe('proposed');
  expect(await reconcile(db)).toEqual([]);
});
