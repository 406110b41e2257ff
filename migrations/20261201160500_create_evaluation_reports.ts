import type { Knex } from 'knex';

// The assessment report (评估报告) PDF of a closed evaluation: rendered once in the closing
// transaction and stored; its SHA-256 is here and in the evaluation.close audit event. A table of
// its own rather than columns on milestone_evaluations, so SQLite never rebuilds that table.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('evaluation_reports', (t) => {
    t.increments('id');
    t.integer('evaluation_id').unsigned().notNullable().references('milestone_evaluations.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('sha256', 64).notNullable();
    t.string('created_at', 24).notNullable();
    t.unique(['evaluation_id'], { indexName: 'evaluation_reports_one_per_evaluation' });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('evaluation_reports');
}
