import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { pgTemplateName, sqliteTemplatePath, withDatabase } from './template-db';

export interface TestDb {
  db: Knex;
  dialect: 'sqlite' | 'postgres';
  destroy(): Promise<void>;
}

/** TEST_DATABASE_URL (postgres://...) runs the suite on PostgreSQL; otherwise SQLite. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? '';
export const onPostgres = testDatabaseUrl !== '';

/** A fresh, empty database for one test file: a temporary SQLite file, or a new PostgreSQL database. */
export async function createTestDb({ migrate = true } = {}): Promise<TestDb> {
  if (!onPostgres) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-test-'));
    const file = path.join(dir, 'test.sqlite3');
    const template = sqliteTemplatePath();
    const copied = migrate && fs.existsSync(template);
    if (copied) fs.copyFileSync(template, file);
    const db = createDb({ databaseUrl: '', sqliteFile: file });
    if (migrate && !copied) await migrateLatest(db);
    return {
      db,
      dialect: 'sqlite',
      async destroy() {
        await db.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `sf_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: testDatabaseUrl, pool: { min: 0, max: 1 } });
  // From the migrated template when there is one (globalSetup makes it); else migrated here.
  const copied =
    migrate &&
    (await admin.raw(`CREATE DATABASE ${name} TEMPLATE ${pgTemplateName()}`).then(
      () => true,
      () => false,
    ));
  if (!copied) await admin.raw(`CREATE DATABASE ${name}`);
  const db = createDb({ databaseUrl: withDatabase(testDatabaseUrl, name), sqliteFile: '' });
  if (migrate && !copied) await migrateLatest(db);
  return {
    db,
    dialect: 'postgres',
    async destroy() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
