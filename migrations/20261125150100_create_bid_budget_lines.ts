import type { Knex } from 'knex';

// The budget breakdown table of a bid (预算明细): item and amount, in order.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('bid_budget_lines', (t) => {
    t.increments('id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('item', 200).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.unique(['bid_id', 'position']);
    t.check('amount_fen >= 0', [], 'bid_budget_lines_amount_non_negative');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('bid_budget_lines');
}
