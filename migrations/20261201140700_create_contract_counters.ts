import type { Knex } from 'knex';

// The last contract sequence number per street office and year. Taken with a conditional update of
// this one row (a row lock on PostgreSQL), so numbers never repeat or skip under concurrency.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('contract_counters', (t) => {
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('year').notNullable();
    t.integer('last_seq').notNullable().defaultTo(0);
    t.primary(['street_office_id', 'year']);
    t.check('last_seq >= 0', [], 'contract_counters_seq_nonnegative');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('contract_counters');
}
