import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { TestClock } from '../../src/shared/clock';
import { createTestDb, type TestDb } from './db';
import { Factories } from './factories';

export interface TestContext {
  app: Express;
  db: TestDb['db'];
  dialect: TestDb['dialect'];
  clock: TestClock;
  config: Config;
  make: Factories;
  close(): Promise<void>;
}

/** The real app on a fresh database, with a test clock and a private upload folder. */
export async function createTestContext(overrides: Partial<Config> = {}): Promise<TestContext> {
  const testDb = await createTestDb();
  const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-uploads-'));
  const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), uploadDir, ...overrides };
  const clock = new TestClock();
  const built = createApp({ config, db: testDb.db, clock });
  return {
    app: built.app,
    db: testDb.db,
    dialect: testDb.dialect,
    clock,
    config,
    make: new Factories(testDb.db, clock),
    async close() {
      await built.close();
      await testDb.destroy();
      fs.rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}
