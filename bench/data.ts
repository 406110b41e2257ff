import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { rootDir } from '../src/config';
import { createDb, isSqlite } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { GENERATOR_VERSION, generate, type BenchData } from './generate';
import { Progress } from './progress';

/**
 * Where generated sets live and when they are reused. SQLite (default): one file per scale under
 * BENCH_DATA_DIR (default data/bench/, outside git), e.g. data/bench/scale-0.01.sqlite3. PostgreSQL:
 * the database of DATABASE_URL, which the generator may wipe (DROP SCHEMA public CASCADE) when it
 * holds no set of this version and scale. Either way the set's description is kept in the table
 * bench_meta of that database, written last: a set whose generation was cut off has none and is made again.
 */
export const benchDataDir = () => process.env.BENCH_DATA_DIR || path.join(rootDir, 'data', 'bench');
export const sqliteFileFor = (scale: number) => path.join(benchDataDir(), `scale-${scale}.sqlite3`);

export interface BenchSet {
  db: Knex;
  data: BenchData;
  /** The environment that points the app at this set (DATABASE_URL or SQLITE_FILE). */
  env: Record<string, string>;
  reused: boolean;
}

async function storedData(db: Knex): Promise<BenchData | undefined> {
  try {
    const row = await db('bench_meta').where({ key: 'data' }).first('value');
    return row ? (JSON.parse(row.value as string) as BenchData) : undefined;
  } catch {
    return undefined; // no bench_meta table: not a finished set
  }
}

export async function openBenchSet(
  scale: number,
  databaseUrl = process.env.DATABASE_URL ?? '',
  log: (line: string) => void = (l) => console.error(l),
): Promise<BenchSet> {
  const sqliteFile = sqliteFileFor(scale);
  const env: Record<string, string> = databaseUrl ? { DATABASE_URL: databaseUrl } : { SQLITE_FILE: sqliteFile };
  let db = createDb({ databaseUrl, sqliteFile });
  const found = await storedData(db);
  if (found && found.version === GENERATOR_VERSION && found.scale === scale) {
    log(
      `reusing the generated set (version ${found.version}, scale ${scale}) in ${databaseUrl ? 'PostgreSQL' : sqliteFile}`,
    );
    return { db, data: found, env, reused: true };
  }
  log(
    `generating the set of scale ${scale} (version ${GENERATOR_VERSION}) into ${databaseUrl ? 'PostgreSQL' : sqliteFile}${found ? ` (replacing version ${found.version}, scale ${found.scale})` : ''}`,
  );
  if (isSqlite(db)) {
    await db.destroy();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(sqliteFile + suffix, { force: true });
    db = createDb({ databaseUrl, sqliteFile });
  } else {
    await db.raw('DROP SCHEMA public CASCADE');
    await db.raw('CREATE SCHEMA public');
  }
  await migrateLatest(db);
  const data = await generate(db, scale, new Progress());
  await db.schema.createTable('bench_meta', (t) => {
    t.string('key', 40).primary();
    t.text('value').notNullable();
  });
  await db('bench_meta').insert({ key: 'data', value: JSON.stringify(data) });
  const total = Object.values(data.counts).reduce((a, b) => a + b, 0);
  log(
    `generated ${total.toLocaleString('en')} rows in ${data.seconds.toFixed(1)} s: ${Object.entries(data.counts)
      .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
      .join(', ')}`,
  );
  return { db, data, env, reused: false };
}

/**
 * A working copy of a set for one run, so that what the run writes (sessions, bids, audit events) never
 * changes the stored set: a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL.
 * Closes `set.db` (a template must have no connections) and returns the copy's handle and environment.
 */
export async function workingCopy(set: BenchSet, dir: string): Promise<BenchSet> {
  await set.db.destroy();
  if (set.env.SQLITE_FILE) {
    const file = path.join(dir, `work-${set.data.scale}.sqlite3`);
    fs.copyFileSync(set.env.SQLITE_FILE, file);
    const db = createDb({ databaseUrl: '', sqliteFile: file });
    await migrateLatest(db); // migrations newer than the set, before the app's start is timed
    return { ...set, db, env: { SQLITE_FILE: file } };
  }
  const url = new URL(set.env.DATABASE_URL);
  const template = url.pathname.slice(1);
  const copy = `${template}_work`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const adminDb = createDb({ databaseUrl: admin.toString(), sqliteFile: '' });
  await adminDb.raw(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
  await adminDb.raw(`CREATE DATABASE ${copy} TEMPLATE ${template}`);
  await adminDb.destroy();
  url.pathname = `/${copy}`;
  const db = createDb({ databaseUrl: url.toString(), sqliteFile: '' });
  await migrateLatest(db);
  return { ...set, db, env: { DATABASE_URL: url.toString() } };
}
