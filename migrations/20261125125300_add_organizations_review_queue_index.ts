import type { Knex } from 'knex';

// The review queue lists by status, oldest registration first.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.index(['status', 'created_at'], 'organizations_status_created_at_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.dropIndex(['status', 'created_at'], 'organizations_status_created_at_index');
  });
}
