import type { Knex } from 'knex';

// A higher-ranked bid the manager passed over, with the written reason (published with the award).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('award_skips', (t) => {
    t.increments('id');
    t.integer('award_id').unsigned().notNullable().references('awards.id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id');
    t.text('reason').notNullable();
    t.unique(['award_id', 'bid_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('award_skips');
}
