import type { Knex } from 'knex';

// One citizen's rating in a round: 1–5 stars and an optional short comment (shown to staff only).
// browser_id is the random id of the rater's signed cookie (no address, no name is kept); unique
// per round, so one rating per browser per milestone.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('citizen_ratings', (t) => {
    t.increments('id');
    t.integer('round_id').unsigned().notNullable().references('rating_rounds.id');
    t.integer('stars').notNullable();
    t.string('comment', 300).nullable();
    t.string('browser_id', 32).notNullable();
    t.string('created_at', 24).notNullable();
    t.unique(['round_id', 'browser_id'], { indexName: 'citizen_ratings_one_per_browser' });
    t.check('stars >= 1 and stars <= 5', [], 'citizen_ratings_stars_range');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('citizen_ratings');
}
