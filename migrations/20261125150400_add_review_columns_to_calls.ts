import type { Knex } from 'knex';

// Review milestones of a call: bids opened (after the deadline) and scoring closed. Together with
// calls.status ('under_review' after opening, 'publicity' while an award is proposed, 'awarded').
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('calls', (t) => {
    t.string('bids_opened_at', 24);
    t.integer('bids_opened_by').unsigned().references('users.id');
    t.string('scoring_closed_at', 24);
    t.integer('scoring_closed_by').unsigned().references('users.id');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('calls', (t) => {
    t.dropColumn('bids_opened_at');
    t.dropColumn('bids_opened_by');
    t.dropColumn('scoring_closed_at');
    t.dropColumn('scoring_closed_by');
  });
}
