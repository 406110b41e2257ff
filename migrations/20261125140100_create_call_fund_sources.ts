import type { Knex } from 'knex';

// How a call's budget is split across fund sources: one amount per source; the budget is their sum.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('call_fund_sources', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.string('source', 20).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.unique(['call_id', 'source']);
    t.check('amount_fen > 0', [], 'call_fund_sources_amount_positive');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('call_fund_sources');
}
