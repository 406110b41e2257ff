import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config';

export type Db = Knex;
export type Tx = Knex.Transaction;
/** Either the database or a transaction: repositories accept both so a service can pass its transaction. */
export type Queryable = Knex | Knex.Transaction;

// bigint (money in fen, counts) and numeric (SUM results) come back from pg as strings.
// Our values stay far below 2^53, so numbers are exact; this makes PostgreSQL rows look like SQLite's.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** The id from `insert(...).returning('id')`: PostgreSQL gives `{ id }`, SQLite the bare number. */
export function returnedId(inserted: unknown): number {
  return Number(typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted);
}

/** `SELECT … FOR UPDATE` on PostgreSQL; on SQLite the query as it is: its one writer already holds the
 *  database for the transaction (and knex would warn that sqlite3 has no row locks). */
export function forUpdate<Q extends Knex.QueryBuilder>(db: Queryable, query: Q): Q {
  return isSqlite(db) ? query : (query.forUpdate() as Q);
}

/** `UPDATE … RETURNING column` on both databases: PostgreSQL returns it from the update, SQLite (one
 *  writer, so nothing can come between) reads it back within the same transaction. */
export async function updateReturning(
  trx: Knex.Transaction,
  table: string,
  where: Record<string, unknown>,
  changes: Record<string, unknown>,
  column: string,
): Promise<unknown> {
  if (isSqlite(trx)) {
    await trx(table).where(where).update(changes);
    const row = await trx(table).where(where).first(column);
    return row?.[column];
  }
  const [row] = await trx(table).where(where).update(changes).returning(column);
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[column] : row;
}

/** SQL for a text expression read as an integer when it is 1 to 15 digits, else NULL (so that an
 *  index on an integer column can be used against a text column such as audit_events.subject_id). */
export function digitsAsInteger(db: Queryable, expr: string): string {
  return isSqlite(db as Knex)
    ? `CASE WHEN ${expr} NOT GLOB '*[^0-9]*' AND length(${expr}) BETWEEN 1 AND 15 THEN CAST(${expr} AS INTEGER) END`
    : `CASE WHEN ${expr} ~ '^[0-9]{1,15}$' THEN CAST(${expr} AS BIGINT) END`;
}

/** SQL for a scalar subquery joining the column `e` of `innerSql` into "1,2,3", in ascending order. */
export function orderedList(db: Queryable, innerSql: string): string {
  return isSqlite(db as Knex)
    ? `(SELECT group_concat(e, ',') FROM (${innerSql} ORDER BY 1))`
    : `(SELECT string_agg(CAST(e AS text), ',' ORDER BY e) FROM (${innerSql}) x)`;
}

/** SQL for the Beijing month (1–12, an integer) of a stored UTC time (text, ISO 8601 with Z). */
export function shanghaiMonthNumber(db: Queryable, expr: string): string {
  return isSqlite(db as Knex)
    ? `CAST(strftime('%m', ${expr}, '+8 hours') AS INTEGER)`
    : `CAST(EXTRACT(MONTH FROM (${expr})::timestamptz AT TIME ZONE 'Asia/Shanghai') AS INTEGER)`;
}

export function isSqlite(db: Knex): boolean {
  return db.client.config.client === 'sqlite3';
}

type Done = (err: Error | null, conn: unknown) => void;
interface RawSqlite {
  exec(sql: string, cb: (err: Error | null) => void): void;
  get(sql: string, cb: (err: Error | null, row: Record<string, unknown>) => void): void;
}

const pageReads = new AsyncLocalStorage<true>();

/**
 * Runs `work` (the handling of a GET or HEAD request, src/app.ts) so that its plain reads may use a
 * read-only SQLite connection beside the writer: a SELECT outside any transaction. Everything else
 * stays on the writer: every statement of a transaction (its client is the transaction's, not the
 * pool's), every INSERT, UPDATE, DELETE and schema change, every raw statement that is not a plain
 * SELECT. In WAL mode a reader sees every committed write and never blocks the writer.
 */
export function asPageRead<T>(work: () => T): T {
  return pageReads.run(true, work);
}

const READ_METHODS = new Set(['select', 'first', 'pluck']);
/** A query builder's select (not insert/update/delete, no lock) or a raw statement that is a SELECT (or WITH … SELECT with no write in it). */
function isPlainRead(builder: { _method?: unknown; _single?: { lock?: unknown }; sql?: unknown }): boolean {
  if (typeof builder._method === 'string') return READ_METHODS.has(builder._method) && !builder._single?.lock;
  if (typeof builder.sql !== 'string') return false;
  return (
    /^\s*select\b/i.test(builder.sql) ||
    (/^\s*with\b/i.test(builder.sql) &&
      !/\b(insert|update|delete|replace|create|drop|alter|pragma)\b/i.test(builder.sql))
  );
}

/**
 * Read-only connections to the same SQLite file (PRAGMA query_only), used by the writer's knex for
 * the plain reads of page requests (see asPageRead). They open in WAL mode or not at all: without
 * WAL a reader would block the writer, so a connection that cannot have it fails to open (and the
 * statement fails) rather than silently serializing.
 */
function attachReaders(db: Knex, sqliteFile: string, readers: number): void {
  const reader = knexFactory({
    client: 'sqlite3',
    connection: { filename: sqliteFile },
    useNullAsDefault: true,
    pool: {
      min: 0,
      max: readers,
      afterCreate(conn: RawSqlite, done: Done) {
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA query_only = ON;',
          (err) => {
            if (err) return done(err, conn);
            conn.get('PRAGMA journal_mode', (e, row) =>
              done(
                e ??
                  (String(row?.journal_mode).toLowerCase() === 'wal'
                    ? null
                    : new Error(`SQLite reader: journal_mode is ${row?.journal_mode}, not wal`)),
                conn,
              ),
            );
          },
        );
      },
    },
  });
  // The reader's statements are the app's: whoever listens on the app's knex (bench:explain, tests) hears them.
  for (const event of ['query', 'query-response', 'query-error'] as const)
    reader.on(event, (...args: unknown[]) => db.emit(event, ...args));
  const client = db.client as Knex.Client & { runner(builder: unknown): unknown };
  const ownRunner = client.runner.bind(client);
  // Only the pool's own client is patched: a transaction's client is a fresh object (knex's makeTxClient), so its statements never come here.
  client.runner = (builder: Parameters<typeof isPlainRead>[0]) =>
    pageReads.getStore() && isPlainRead(builder)
      ? (reader.client as typeof client).runner(builder)
      : ownRunner(builder);
  // db.destroy() is the client's destroy: it closes the readers too.
  const ownDestroy = client.destroy.bind(client);
  client.destroy = (async (callback?: (err?: unknown) => void) => {
    await reader.destroy();
    return ownDestroy(callback as never);
  }) as typeof client.destroy;
}

/** The one place that knows SQLite from PostgreSQL. */
export function createDb(
  config: Pick<Config, 'databaseUrl' | 'sqliteFile'> & Partial<Pick<Config, 'sqliteReaders'>>,
): Knex {
  if (config.databaseUrl) {
    return knexFactory({ client: 'pg', connection: config.databaseUrl, pool: { min: 0, max: 10 } });
  }
  if (config.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(config.sqliteFile), { recursive: true });
  const db = knexFactory({
    client: 'sqlite3',
    connection: { filename: config.sqliteFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(
        conn: { exec(sql: string, cb: (err: Error | null) => void): void },
        done: (err: Error | null, conn: unknown) => void,
      ) {
        // WAL lets readers in other processes (audit:verify) work during writes; FULL sync so a
        // committed payment survives a power cut; foreign keys are off by default in SQLite.
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
          (err) => done(err, conn),
        );
      },
    },
  });
  const readers = config.sqliteReaders ?? 2;
  if (readers > 0 && config.sqliteFile !== ':memory:') attachReaders(db, config.sqliteFile, readers);
  return db;
}
