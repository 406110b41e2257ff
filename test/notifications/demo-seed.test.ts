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

it('asks no approved organization’s staff for registration documents in the demo notifications', async () => {
  const now = new Date('2026-11-25T02:00:00.000Z');
  const config = {
    ...loadConfig({ NODE_ENV: 'test' }),
    uploadDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-seed-')),
  };
  expect(await seedIfEmpty({ db: testDb.db, config, clock: { now: () => now } })).toBe(true);
  const asked = await testDb
    .db('notifications as n')
    .join('users as u', 'u.id', 'n.user_id')
    .join('organizations as o', 'o.id', 'u.organization_id')
    .where('n.message_key', 'notifications.messages.uploadDocuments')
    .select('u.username', 'o.status');
  expect(asked.filter((r) => r.status === 'approved')).toEqual([]);
  const anxin = await testDb.db('users').where({ username: 'org.anxin' }).first('id');
  const keys = await testDb.db('notifications').where({ user_id: anxin.id }).pluck('message_key');
  expect(keys).toContain('notifications.messages.welcome');
  expect(keys).not.toContain('notifications.messages.uploadDocuments');
});
