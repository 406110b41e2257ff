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
export async function updateReturning(trx: Knex.Transaction, table: string, where: Record<string, unknown>, changes: Record<string, unknown>, column: string): Promise<unknown> {
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

export function isSqlite(db: Knex): boolean {
  return db.client.config.client === 'sqlite3';
}

/** The one place that knows SQLite from PostgreSQL. */
export function createDb(config: Pick<Config, 'databaseUrl' | 'sqliteFile'>): Knex {
  if (config.databaseUrl) {
    return knexFactory({ client: 'pg', connection: config.databaseUrl, pool: { min: 0, max: 10 } });
  }
  if (config.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(config.sqliteFile), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: config.sqliteFile },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        // WAL lets readers in other processes (audit:verify) work during writes; FULL sync so a
        // committed payment survives a power cut; foreign keys are off by default in SQLite.
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
          (err) => done(err, conn),
        );
      },
    },
  });
}
