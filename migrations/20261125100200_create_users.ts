import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.string('password_hash', 100).notNullable();
    t.string('role', 20).notNullable();
    t.integer('street_office_id').unsigned().references('street_offices.id');
    t.integer('organization_id').unsigned().references('organizations.id');
    t.string('disabled_at', 24);
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.index(['role']);
    t.index(['street_office_id']);
    t.index(['organization_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('users');
}
