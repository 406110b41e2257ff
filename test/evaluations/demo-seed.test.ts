import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.destroy());

it('seeds a submitted mid-term report on DS-2026-0001 with two evidence files, its evaluation open and the managers notified', async () => {
  const now = new Date('2026-11-25T02:00:00.000Z');
  const config = { ...loadConfig({ NODE_ENV: 'test' }), uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-seed-')) };
  expect(await seedIfEmpty({ db: testDb.db, config, clock: { now: () => now } })).toBe(true);
  const db = testDb.db;
  const contract = await db('contracts').where({ number: 'DS-2026-0001' }).first('id');
  const reports = await db('milestone_reports').where({ contract_id: contract.id });
  expect(reports).toMatchObject([{ milestone_seq: 2, version: 1, status: 'submitted', self_score: 8800, people_served: 318 }]);
  const files = await db('milestone_report_files as rf').join('stored_files as f', 'f.id', 'rf.file_id').where({ 'rf.report_id': reports[0].id }).pluck('f.original_name');
  expect(files.sort()).toEqual(['活动签到记录.pdf', '读书会现场照片.png']);
  expect(await db('milestone_evaluations').where({ contract_id: contract.id })).toMatchObject([{ milestone_seq: 2, status: 'open' }]);
  const manager = await db('users').where({ username: 'manager.dongshan' }).first('id');
  expect(await db('notifications').where({ user_id: manager.id, kind: 'milestone.report_submitted' })).toHaveLength(1);
  fs.rmSync(config.uploadDir, { recursive: true, force: true });
});
