import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('objection_files', (t) => {
    t.increments('id');
    t.integer('objection_id').unsigned().notNullable().references('objections.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('created_at', 24).notNullable();
    t.index(['objection_id'], 'objection_files_objection_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('objection_files');
}
