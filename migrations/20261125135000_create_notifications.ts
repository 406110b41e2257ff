import type { Knex } from 'knex';

// In-app notifications. The message is stored as an i18n key with its parameters, not as text, so
// each reader sees it in their own language whatever the sender's was.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('notifications', (t) => {
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('users.id');
    t.string('kind', 40).notNullable();
    t.string('message_key', 100).notNullable();
    t.text('params_json').notNullable();
    t.string('link', 500).notNullable();
    t.string('subject_type', 40);
    t.string('subject_id', 40);
    t.string('created_at', 24).notNullable();
    t.string('read_at', 24);
    // The header's unread count: (user_id, read_at IS NULL) is an index range, no table rows read.
    t.index(['user_id', 'read_at', 'id']);
    // The list page: a user's notifications newest first, read backwards from the index with a limit.
    t.index(['user_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('notifications');
}
