import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('organizations', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    // 统一社会信用代码: 18 characters (GB 32100-2015); unique across the district.
    t.string('credit_code', 18).notNullable().unique();
    t.string('status', 20).notNullable().defaultTo('pending');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.index(['status', 'name']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('organizations');
}
