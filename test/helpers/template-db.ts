import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { rootDir } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';

/**
 * Every test file starts from a freshly migrated database. Running the ninety-odd migrations for each
 * of them cost about 0.2 s on SQLite and 0.5 s on PostgreSQL per file; instead the test run migrates
 * one template (jest's globalSetup, test/helpers/global-setup.ts) and each file copies it: a file copy
 * on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. The template's name carries a hash of the
 * migrations, so a changed or added migration makes a new one and a stale template is never used.
 */
let key: string | undefined;
export function migrationsKey(): string {
  if (key) return key;
  const dir = path.join(rootDir, 'migrations');
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(dir).sort()) {
    hash.update(file);
    hash.update(fs.readFileSync(path.join(dir, file)));
  }
  key = hash.digest('hex').slice(0, 12);
  return key;
}

export function sqliteTemplatePath(key = migrationsKey()): string {
  return path.join(os.tmpdir(), `streetfund-test-template-${key}.sqlite3`);
}

export function pgTemplateName(key = migrationsKey()): string {
  return `sf_template_${key}`;
}

/** The admin connection's URL with another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Makes the template for this run's migrations unless it is there (built aside, then renamed, so a
 *  half-built template is never copied). */
export async function ensureTemplate(databaseUrl: string): Promise<void> {
  const current = migrationsKey();
  if (!databaseUrl) {
    const target = sqliteTemplatePath(current);
    if (fs.existsSync(target)) return;
    const building = `${target}.${process.pid}.building`;
    const db = createDb({ databaseUrl: '', sqliteFile: building });
    await migrateLatest(db);
    await db.destroy(); // closing the last connection checkpoints the WAL into the file
    fs.renameSync(building, target);
    return;
  }
  const name = pgTemplateName(current);
  const admin = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    const existing: string[] = await admin('pg_database').where('datname', 'like', 'sf_template_%').pluck('datname');
    if (existing.includes(name)) return;
    // Templates of other migrations are dropped so that they do not pile up; a run of another branch on
    // the same server then finds its template gone and migrates per file (slower, still correct).
    for (const old of existing) await admin.raw(`DROP DATABASE IF EXISTS ${old} WITH (FORCE)`);
    const building = `sf_tplbuild_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    await admin.raw(`CREATE DATABASE ${building}`);
    const db = createDb({ databaseUrl: withDatabase(databaseUrl, building), sqliteFile: '' });
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
    try {
      await admin.raw(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch (err) {
      // Another run on the same server built the same template meanwhile: use theirs.
      await admin.raw(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      if (!(await admin('pg_database').where('datname', name).first('datname'))) throw err;
    }
  } finally {
    await admin.destroy();
  }
}
