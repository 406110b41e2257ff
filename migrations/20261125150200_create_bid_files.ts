import type { Knex } from 'knex';

// Attachments of a bid (proposal PDF, price sheet, certificates), stored through the shared uploader.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('bid_files', (t) => {
    t.increments('id');
    t.integer('bid_id').unsigned().notNullable().references('bids.id').onDelete('CASCADE');
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('kind', 30).notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['bid_id'], 'bid_files_bid_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('bid_files');
}
