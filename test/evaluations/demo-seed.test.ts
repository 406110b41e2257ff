import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';
import { closedEvaluation, publicEvaluationResults } from '../../src/modules/evaluations';

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.destroy());

it('seeds DS-2026-0001: the mid-term closed from every source with its PDF, the second mid-term waiting with an open rating round, the final not yet due', async () => {
  const now = new Date('2026-11-25T02:00:00.000Z');
  const config = {
    ...loadConfig({ NODE_ENV: 'test' }),
    uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-seed-')),
  };
  expect(await seedIfEmpty({ db: testDb.db, config, clock: { now: () => now } })).toBe(true);
  const db = testDb.db;
  const contract = await db('contracts').where({ number: 'DS-2026-0001' }).first('id');
  const reports = await db('milestone_reports').where({ contract_id: contract.id }).orderBy('milestone_seq');
  expect(reports).toMatchObject([
    { milestone_seq: 2, version: 1, status: 'submitted', self_score: 8800, people_served: 318 },
    { milestone_seq: 3, version: 1, status: 'submitted', self_score: 8600 },
  ]);
  const files = await db('milestone_report_files as rf')
    .join('stored_files as f', 'f.id', 'rf.file_id')
    .where({ 'rf.report_id': reports[0].id })
    .pluck('f.original_name');
  expect(files.sort()).toEqual(['活动签到记录.pdf', '读书会现场照片.png']);
  expect(await db('milestone_evaluations').where({ contract_id: contract.id }).orderBy('milestone_seq')).toMatchObject([
    { milestone_seq: 2, status: 'closed' },
    { milestone_seq: 3, status: 'open' },
  ]);

  // Every source scored on the closed mid-term, the citizens' dozen counted.
  const m2 = await db('contract_milestones').where({ contract_id: contract.id, seq: 2 }).first('id');
  const closed = (await closedEvaluation(db, Number(m2.id)))!;
  expect(closed.weights.missing).toEqual([]);
  expect(closed.weights.used.map((u) => u.source)).toEqual(['self', 'manager', 'peer', 'citizen', 'third_party']);
  expect(closed.weights.used.find((u) => u.source === 'citizen')!.score).toBe(8333);
  expect(closed).toMatchObject({ reviewOpen: false, reportSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect((await publicEvaluationResults(db, contract.id))[0]).toMatchObject({ milestoneSeq: 2, citizenRatings: 12 });
  const stored = await db('evaluation_reports as r')
    .join('stored_files as f', 'f.id', 'r.file_id')
    .first('f.storage_key', 'r.sha256');
  expect(fs.existsSync(path.join(config.uploadDir, stored.storage_key))).toBe(true);
  expect(await db('evaluation_indicator_scores')).not.toHaveLength(0);

  // The second mid-term's round is open; the final is not yet due.
  const round = await db('rating_rounds').where({ contract_id: contract.id, milestone_seq: 3 }).first();
  expect(round.closed_at).toBeNull();
  expect(Date.parse(round.closes_at)).toBeGreaterThan(now.getTime());
  const m4 = await db('contract_milestones').where({ contract_id: contract.id, seq: 4 }).first('due_date');
  expect(m4.due_date > now.toISOString().slice(0, 10)).toBe(true);
  const manager = await db('users').where({ username: 'manager.dongshan' }).first('id');
  expect(await db('notifications').where({ user_id: manager.id, kind: 'milestone.report_submitted' })).toHaveLength(2);
  fs.rmSync(config.uploadDir, { recursive: true, force: true });
});
