import type { Knex } from 'knex';

// "The whole district": street_offices has a `district` text but no districts table, and one
// installation serves one district (区民政局). An auditor with a row here reads every street office,
// including those created later; user_street_offices still lists explicit assignments.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('auditor_district_scopes', (t) => {
    t.integer('user_id').unsigned().primary().references('users.id').onDelete('CASCADE');
    t.string('granted_at', 24).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('auditor_district_scopes');
}
