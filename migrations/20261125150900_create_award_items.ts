import type { Knex } from 'knex';

// The bids an award selects (one for a tender; several for a venture call), each with its amount.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('award_items', (t) => {
    t.increments('id');
    t.integer('award_id').unsigned().notNullable().references('awards.id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id');
    t.integer('rank').notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.unique(['award_id', 'bid_id']);
    t.check('amount_fen > 0', [], 'award_items_amount_positive');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('award_items');
}
