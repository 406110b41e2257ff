import type { Knex } from 'knex';

// Times are ISO-8601 UTC strings of fixed width ("2026-11-25T09:56:24.000Z") in every table:
// the same text on SQLite and PostgreSQL, and text order is time order.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('street_offices', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.string('district', 100).notNullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('street_offices');
}
