import type { Knex } from 'knex';

// One reviewer's score (0..100) of one bid on one criterion of the call, with a comment.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('review_scores', (t) => {
    t.increments('id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id');
    t.integer('reviewer_id').unsigned().notNullable().references('users.id');
    t.integer('criterion_id').unsigned().notNullable().references('call_criteria.id');
    t.integer('score').notNullable();
    t.text('comment');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['bid_id', 'reviewer_id', 'criterion_id']);
    t.check('score >= 0 and score <= 100', [], 'review_scores_range');
    t.index(['reviewer_id', 'bid_id'], 'review_scores_reviewer_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('review_scores');
}
