import type { Knex } from 'knex';

// Organizations a street office has excluded from its calls (e.g. after a breach), with the reason.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('street_office_exclusions', (t) => {
    t.increments('id');
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.string('reason', 500).notNullable();
    t.integer('created_by').unsigned().references('users.id');
    t.string('created_at', 24).notNullable();
    t.unique(['street_office_id', 'organization_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('street_office_exclusions');
}
