import type { Knex } from 'knex';

// The guiding catalogue of purchasable services (政府购买服务指导性目录): one row per item and year.
// street_office_id null = a district-wide item kept by the district administrator.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('catalog_items', (t) => {
    t.increments('id');
    t.integer('category_id').unsigned().notNullable().references('service_categories.id');
    t.integer('street_office_id').unsigned().nullable().references('street_offices.id');
    t.integer('year').notNullable();
    t.string('code', 40).notNullable();
    t.string('name', 200).notNullable();
    t.text('description').notNullable();
    t.text('service_standard').notNullable();
    t.string('unit', 40).notNullable();
    t.bigInteger('guidance_price_fen').notNullable();
    // Comma-separated subset of contract_outsourcing, project_entrustment, venture (no name contains another).
    t.string('methods', 100).notNullable();
    t.string('status', 20).notNullable().defaultTo('active');
    t.integer('created_by').unsigned().nullable().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['year', 'code']);
    // The public list filters by year/category/status and sorts by code; managers list by street office.
    t.index(['year', 'category_id', 'status', 'code']);
    t.index(['street_office_id', 'year']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('catalog_items');
}
