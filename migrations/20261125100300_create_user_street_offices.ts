import type { Knex } from 'knex';

// Auditors read across several street offices; this lists which ones.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('user_street_offices', (t) => {
    t.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE');
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.primary(['user_id', 'street_office_id']);
    t.index(['street_office_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('user_street_offices');
}
