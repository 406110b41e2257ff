import type { Knex } from 'knex';

// Two evaluation settings of a call (issue 11): the days after an evaluation closes in which the
// organization may ask for a review (复核), default 5; and the fewest citizen ratings a rating
// round needs to count as a source, default 10. Existing calls get the defaults. On SQLite the
// columns and their CHECKs are added in place, never by rebuilding the calls table.
const COLUMNS = [
  {
    name: 'review_days',
    def: 5,
    check: 'review_days >= 1 and review_days <= 30',
    constraint: 'calls_review_days_range',
  },
  {
    name: 'citizen_min_ratings',
    def: 10,
    check: 'citizen_min_ratings >= 1 and citizen_min_ratings <= 1000',
    constraint: 'calls_citizen_min_ratings_range',
  },
];

export async function up(db: Knex): Promise<void> {
  for (const c of COLUMNS) {
    if (db.client.config.client === 'sqlite3') {
      await db.raw(
        `ALTER TABLE calls ADD COLUMN ${c.name} integer NOT NULL DEFAULT ${c.def} CONSTRAINT ${c.constraint} CHECK (${c.check})`,
      );
      continue;
    }
    await db.schema.alterTable('calls', (t) => {
      t.integer(c.name).notNullable().defaultTo(c.def);
      t.check(c.check, [], c.constraint);
    });
  }
}

export async function down(db: Knex): Promise<void> {
  for (const c of [...COLUMNS].reverse()) {
    if (db.client.config.client === 'sqlite3') {
      await db.raw(`ALTER TABLE calls DROP COLUMN ${c.name}`);
      continue;
    }
    await db.schema.alterTable('calls', (t) => {
      t.dropChecks([c.constraint]);
      t.dropColumn(c.name);
    });
  }
}
