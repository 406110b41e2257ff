import type { Knex } from 'knex';

// A review (复核) of a closed evaluation, asked by the organization within the call's review days,
// answered in writing by the street's manager: upheld reopens the evaluation, rejected is final.
// One review per closing (each closing stores one assessment report, the one questioned); one open
// review per evaluation.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('evaluation_reviews', (t) => {
    t.increments('id');
    t.integer('evaluation_id').unsigned().notNullable().references('milestone_evaluations.id');
    t.integer('assessment_report_id').unsigned().notNullable().references('evaluation_reports.id');
    t.string('closed_at', 24).notNullable();
    t.text('result_json').notNullable();
    t.string('status', 10).notNullable();
    t.text('reasons').notNullable();
    t.integer('requested_by').unsigned().notNullable().references('users.id');
    t.string('requested_at', 24).notNullable();
    t.text('answer').nullable();
    t.integer('answered_by').unsigned().nullable().references('users.id');
    t.string('answered_at', 24).nullable();
    t.unique(['assessment_report_id'], { indexName: 'evaluation_reviews_one_per_closing' });
    t.check("status in ('open', 'upheld', 'rejected')", [], 'evaluation_reviews_status_known');
    t.check(
      "(status = 'open') = (answer is null and answered_by is null and answered_at is null)",
      [],
      'evaluation_reviews_answer_complete',
    );
  });
  await db.raw(
    "CREATE UNIQUE INDEX evaluation_reviews_one_open ON evaluation_reviews (evaluation_id) WHERE status = 'open'",
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('evaluation_reviews');
}
