import type { Knex } from 'knex';

// A milestone's evaluation (评估), opened by the first submitted report and evaluating the newest
// submitted version. The manager scores while it is open; closing fixes the weighted score
// (hundredths), grade, stars and pass, with the weights used, for the payment step to read.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('milestone_evaluations', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('milestone_seq').notNullable();
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.integer('report_id').unsigned().notNullable().references('milestone_reports.id');
    t.string('status', 10).notNullable();
    t.string('opened_at', 24).notNullable();
    t.integer('manager_score').nullable();
    t.text('manager_comment').nullable();
    t.integer('manager_scored_by').unsigned().nullable().references('users.id');
    t.string('manager_scored_at', 24).nullable();
    t.integer('self_score').nullable();
    t.integer('total_score').nullable();
    t.string('grade', 20).nullable();
    t.integer('stars').nullable();
    t.integer('pass_score').nullable();
    t.boolean('passed').nullable();
    t.text('weights_json').nullable();
    t.integer('closed_by').unsigned().nullable().references('users.id');
    t.string('closed_at', 24).nullable();
    t.unique(['contract_id', 'milestone_seq'], { indexName: 'milestone_evaluations_milestone_unique' });
    t.index(['street_office_id', 'status'], 'milestone_evaluations_street_status_idx');
    t.check("status in ('open', 'closed')", [], 'milestone_evaluations_status_known');
    t.check(
      'manager_score is null or (manager_score >= 0 and manager_score <= 10000)',
      [],
      'milestone_evaluations_manager_score_range',
    );
    t.check('(manager_score is null) = (manager_comment is null)', [], 'milestone_evaluations_manager_comment');
    t.check(
      'total_score is null or (total_score >= 0 and total_score <= 10000)',
      [],
      'milestone_evaluations_total_range',
    );
    t.check("grade is null or grade in ('excellent', 'good', 'pass', 'fail')", [], 'milestone_evaluations_grade_known');
    t.check('stars is null or (stars >= 1 and stars <= 5)', [], 'milestone_evaluations_stars_range');
    t.check(
      "(status = 'closed') = (closed_at is not null and total_score is not null and grade is not null and stars is not null and passed is not null and weights_json is not null)",
      [],
      'milestone_evaluations_closed_complete',
    );
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('milestone_evaluations');
}
