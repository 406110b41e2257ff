import type { Knex } from 'knex';

// The largest share of a contract's amount its first milestone may pay as an advance (首期款) on
// signing, in percent of the amount; 0 turns advances off. Existing calls get the default, 30.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('calls', (t) => {
    t.integer('max_advance_percent').notNullable().defaultTo(30);
  });
  await db.schema.alterTable('calls', (t) => {
    t.check('max_advance_percent >= 0 and max_advance_percent <= 100', [], 'calls_max_advance_percent_range');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('calls', (t) => {
    t.dropChecks(['calls_max_advance_percent_range']);
  });
  await db.schema.alterTable('calls', (t) => {
    t.dropColumn('max_advance_percent');
  });
}
