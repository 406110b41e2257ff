import type { Knex } from 'knex';

// An objection (质疑) lodged by a bidder of the call during the award's publicity period, and the
// manager's written answer: upheld (the award is withdrawn, back to review) or rejected (published).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('objections', (t) => {
    t.increments('id');
    t.integer('award_id').unsigned().notNullable().references('awards.id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.text('reasons').notNullable();
    t.string('status', 20).notNullable(); // open | upheld | rejected
    t.integer('lodged_by').unsigned().references('users.id');
    t.string('lodged_at', 24).notNullable();
    t.text('answer');
    t.integer('answered_by').unsigned().references('users.id');
    t.string('answered_at', 24);
    t.index(['award_id', 'status'], 'objections_award_idx');
    t.index(['call_id', 'id'], 'objections_call_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('objections');
}
