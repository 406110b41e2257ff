import type { Knex } from 'knex';

// Documents attached to a call (terms of reference, forms); downloadable by anyone once published.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('call_documents', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('created_at', 24).notNullable();
    t.index(['call_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('call_documents');
}
