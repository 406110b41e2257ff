import type { Knex } from 'knex';

// A reviewer's declaration, per bid, of no conflict of interest (or of one: then they are excluded
// from that bid). A reviewer scores a bid only after declaring no conflict with it.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('conflict_declarations', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('reviewer_id').unsigned().notNullable().references('users.id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id');
    t.boolean('has_conflict').notNullable();
    t.string('note', 500);
    t.string('declared_at', 24).notNullable();
    t.unique(['reviewer_id', 'bid_id']);
    t.index(['call_id', 'reviewer_id'], 'conflict_declarations_call_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('conflict_declarations');
}
