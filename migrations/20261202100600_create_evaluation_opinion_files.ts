import type { Knex } from 'knex';

// The third party's optional evaluation file (评估意见书), one per assessor (a new upload replaces
// the link; the stored file row stays). Served only through the report's authorized route.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('evaluation_opinion_files', (t) => {
    t.increments('id');
    t.integer('assessor_id').unsigned().notNullable().references('evaluation_assessors.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('created_at', 24).notNullable();
    t.unique(['assessor_id'], { indexName: 'evaluation_opinion_files_one_per_assessor' });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('evaluation_opinion_files');
}
