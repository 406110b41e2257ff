import type { Knex } from 'knex';

// The service categories an organization takes on (at least one, checked by the service).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('organization_service_categories', (t) => {
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.integer('service_category_id').unsigned().notNullable().references('service_categories.id');
    t.primary(['organization_id', 'service_category_id']);
    // The public registry's category filter starts from the category.
    t.index(['service_category_id', 'organization_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('organization_service_categories');
}
