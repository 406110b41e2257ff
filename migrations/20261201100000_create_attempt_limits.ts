import type { Knex } from 'knex';

// Our own limiter's state (src/web/signin-limits.ts), one row per key such as "account:<username>",
// "address:<ip>" or "register:<ip>". Each attempt is counted in one short transaction of the app's
// own (row locked on PostgreSQL), so the limiter never shares or leaves open a transaction of the app.
// Times are ISO-8601 UTC strings like every other table; they compare correctly as text.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('attempt_limits', (t) => {
    t.string('key', 200).primary();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('last_attempt_at', 30).notNullable();
    // When the next attempt may go ahead (null: now). Set once the allowance is used up.
    t.string('next_allowed_at', 30);
    t.check('attempts >= 0', [], 'attempt_limits_attempts_not_negative');
    // The sweep of forgotten rows reads by this column.
    t.index(['last_attempt_at'], 'attempt_limits_last_attempt_at_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('attempt_limits');
}
