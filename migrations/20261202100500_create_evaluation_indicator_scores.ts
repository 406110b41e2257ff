import type { Knex } from 'knex';

// The manager's and the third party's score on each evaluation indicator (the call's criteria),
// 0–100 in hundredths. The criterion's position, name and weight are copied here, so a score keeps
// what it was given against; the source's score is their weighted mean (evaluation.ts).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('evaluation_indicator_scores', (t) => {
    t.increments('id');
    t.integer('evaluation_id').unsigned().notNullable().references('milestone_evaluations.id');
    t.string('source', 12).notNullable();
    t.integer('position').notNullable();
    t.string('name', 100).notNullable();
    t.integer('weight').notNullable();
    t.integer('score').notNullable();
    t.unique(['evaluation_id', 'source', 'position'], { indexName: 'evaluation_indicator_scores_one_per_indicator' });
    t.check("source in ('manager', 'third_party')", [], 'evaluation_indicator_scores_source_known');
    t.check('score >= 0 and score <= 10000', [], 'evaluation_indicator_scores_range');
    t.check('weight >= 0 and weight <= 100', [], 'evaluation_indicator_scores_weight_range');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('evaluation_indicator_scores');
}
