import type { Knex } from 'knex';

// Every uploaded file: stored under uploads/ by a random key, never by the name the user gave.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('stored_files', (t) => {
    t.increments('id');
    t.string('storage_key', 64).notNullable().unique();
    t.string('original_name', 255).notNullable();
    t.string('mime_type', 100).notNullable();
    t.integer('size_bytes').notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('uploaded_by').unsigned().references('users.id');
    t.string('created_at', 24).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('stored_files');
}
