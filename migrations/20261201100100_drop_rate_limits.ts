import type { Knex } from 'knex';

// rate-limiter-flexible's table, no longer used: its SQLite store opened savepoints on the app's one
// connection and could leave it inside a transaction (issue 7). attempt_limits replaces it.
export async function up(db: Knex): Promise<void> {
  await db.schema.dropTableIfExists('rate_limits');
}

export async function down(db: Knex): Promise<void> {
  await db.schema.createTable('rate_limits', (t) => {
    t.string('key', 255).primary();
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('expire');
  });
}
