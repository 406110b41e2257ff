import type { Knex } from 'knex';

// A milestone's progress reports (里程碑进度报告), one row per version. The organization's staff keep
// one draft, submit it (then it never changes), and a manager may return a submitted version with a
// reason; the organization then starts the next version from it. Every version stays.
// A milestone is named by its contract and sequence number, not its row id: an accepted amendment
// replaces the unsettled milestone rows (same seq, new ids).
// A draft may be incomplete; a submitted version has every required part. Scores are hundredths (0..10000), so 87.5 is 8750.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('milestone_reports', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('milestone_seq').notNullable();
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('version').notNullable();
    t.string('status', 20).notNullable();
    t.text('delivered_json').notNullable();
    t.integer('people_served').nullable();
    t.integer('sessions_held').nullable();
    t.text('problems').nullable();
    t.integer('self_score').nullable();
    t.text('self_comment').nullable();
    t.integer('created_by').unsigned().notNullable().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.integer('submitted_by').unsigned().nullable().references('users.id');
    t.string('submitted_at', 24).nullable();
    t.integer('returned_by').unsigned().nullable().references('users.id');
    t.string('returned_at', 24).nullable();
    t.text('return_reason').nullable();
    t.unique(['contract_id', 'milestone_seq', 'version'], { indexName: 'milestone_reports_version_unique' });
    t.index(['street_office_id', 'status'], 'milestone_reports_street_status_idx');
    t.index(['organization_id', 'status'], 'milestone_reports_org_status_idx');
    t.check("status in ('draft', 'submitted', 'returned')", [], 'milestone_reports_status_known');
    t.check('version >= 1', [], 'milestone_reports_version_positive');
    t.check('people_served >= 0 and sessions_held >= 0', [], 'milestone_reports_counts_nonnegative');
    t.check('self_score >= 0 and self_score <= 10000', [], 'milestone_reports_self_score_range');
    t.check(
      "status = 'draft' or (people_served is not null and sessions_held is not null and self_score is not null and self_comment is not null)",
      [],
      'milestone_reports_submitted_complete',
    );
    t.check("(status = 'draft') = (submitted_at is null)", [], 'milestone_reports_submitted_has_time');
    t.check(
      "(status = 'returned') = (returned_at is not null and return_reason is not null)",
      [],
      'milestone_reports_returned_has_reason',
    );
  });
  // One version open (a draft or a submitted one) per milestone: two submissions at once make one.
  await db.raw(
    "create unique index milestone_reports_one_open on milestone_reports (contract_id, milestone_seq) where status in ('draft', 'submitted')",
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('milestone_reports');
}
