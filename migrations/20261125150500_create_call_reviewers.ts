import type { Knex } from 'knex';

// The review panel of a call: reviewers assigned by the manager once the bids are opened.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('call_reviewers', (t) => {
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('reviewer_id').unsigned().notNullable().references('users.id');
    t.integer('assigned_by').unsigned().references('users.id');
    t.string('assigned_at', 24).notNullable();
    t.primary(['call_id', 'reviewer_id']);
    t.index(['reviewer_id'], 'call_reviewers_reviewer_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('call_reviewers');
}
