import type { Knex } from 'knex';

// The shape connect-session-knex expects; sessions live here so several app instances can share them.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    t.timestamp('expired', { useTz: true }).notNullable().index();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sessions');
}
