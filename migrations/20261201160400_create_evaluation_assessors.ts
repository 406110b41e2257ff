import type { Knex } from 'knex';

// The peer organization and the third-party evaluator the manager assigns to a milestone's
// evaluation (one of each). Each declares first whether it has a conflict of interest (final once a
// conflict is declared), and only with no conflict declared may it score, with a comment.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('evaluation_assessors', (t) => {
    t.increments('id');
    t.integer('evaluation_id').unsigned().notNullable().references('milestone_evaluations.id');
    t.string('source', 20).notNullable();
    t.integer('organization_id').unsigned().nullable().references('organizations.id');
    t.integer('user_id').unsigned().nullable().references('users.id');
    t.integer('assigned_by').unsigned().notNullable().references('users.id');
    t.string('assigned_at', 24).notNullable();
    t.boolean('has_conflict').nullable();
    t.integer('declared_by').unsigned().nullable().references('users.id');
    t.string('declared_at', 24).nullable();
    t.integer('score').nullable();
    t.text('comment').nullable();
    t.integer('scored_by').unsigned().nullable().references('users.id');
    t.string('scored_at', 24).nullable();
    t.unique(['evaluation_id', 'source'], { indexName: 'evaluation_assessors_source_unique' });
    t.index(['user_id'], 'evaluation_assessors_user_idx');
    t.index(['organization_id'], 'evaluation_assessors_org_idx');
    t.check("source in ('peer', 'third_party')", [], 'evaluation_assessors_source_known');
    t.check(
      "(source = 'peer') = (organization_id is not null and user_id is null)",
      [],
      'evaluation_assessors_peer_is_org',
    );
    t.check(
      "(source = 'third_party') = (user_id is not null and organization_id is null)",
      [],
      'evaluation_assessors_third_party_is_user',
    );
    t.check('(has_conflict is null) = (declared_at is null)', [], 'evaluation_assessors_declared_together');
    t.check(
      'score is null or (score >= 0 and score <= 10000 and comment is not null and has_conflict = false)',
      [],
      'evaluation_assessors_score_after_no_conflict',
    );
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('evaluation_assessors');
}
