import type { Knex } from 'knex';

// The table rate-limiter-flexible uses for sign-in attempts (per account and per address); in the
// database rather than in memory so that every app instance counts the same attempts.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('rate_limits');
}
