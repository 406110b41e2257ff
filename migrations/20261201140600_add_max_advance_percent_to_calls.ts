import type { Knex } from 'knex';

// The largest share of a contract's amount its first milestone may pay as an advance (首期款) on
// signing, in percent of the amount; 0 turns advances off. Existing calls get the default, 30.
// On SQLite the column and its CHECK are added (and dropped) in place, never by rebuilding the calls
// table, which other tables reference.
const CHECK = 'max_advance_percent >= 0 and max_advance_percent <= 100';

export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw(
      `ALTER TABLE calls ADD COLUMN max_advance_percent integer NOT NULL DEFAULT 30 CONSTRAINT calls_max_advance_percent_range CHECK (${CHECK})`,
    );
    return;
  }
  await db.schema.alterTable('calls', (t) => {
    t.integer('max_advance_percent').notNullable().defaultTo(30);
    t.check(CHECK, [], 'calls_max_advance_percent_range');
  });
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('ALTER TABLE calls DROP COLUMN max_advance_percent');
    return;
  }
  await db.schema.alterTable('calls', (t) => {
    t.dropChecks(['calls_max_advance_percent_range']);
    t.dropColumn('max_advance_percent');
  });
}
