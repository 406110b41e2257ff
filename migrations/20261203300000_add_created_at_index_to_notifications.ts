import type { Knex } from 'knex';

// A user's notifications list newest first by when they were sent (created_at, then id), read
// backwards from this index with a limit, as (user_id, id) did when ids alone gave the order: rows
// written with an earlier time after later ones (the demo data's story, a backfill) no longer jump ahead.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('notifications', (t) => {
    t.index(['user_id', 'created_at', 'id'], 'notifications_user_created_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('notifications', (t) => {
    t.dropIndex(['user_id', 'created_at', 'id'], 'notifications_user_created_index');
  });
}
