import type { Knex } from 'knex';

// Qualification documents of an organization (registration certificate, annual inspection, ...).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('organization_documents', (t) => {
    t.increments('id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('kind', 40).notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['organization_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('organization_documents');
}
