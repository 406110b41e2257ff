import type { Knex } from 'knex';

// Evidence files of a report version (photos, PDFs, spreadsheets). A new version after a return
// starts with the same files linked; the stored file rows are shared, never copied.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('milestone_report_files', (t) => {
    t.increments('id');
    t.integer('report_id').unsigned().notNullable().references('milestone_reports.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('created_at', 24).notNullable();
    t.unique(['report_id', 'file_id'], { indexName: 'milestone_report_files_unique' });
    t.index(['file_id'], 'milestone_report_files_file_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('milestone_report_files');
}
