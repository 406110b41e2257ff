import type { Knex } from 'knex';

// One TOTP second factor per user. The secret is stored encrypted (AES-256-GCM with MFA_KEY, which is
// not in the database); confirmed_at is null while the user has scanned but not yet proved a code.
// last_time_step refuses a code used twice (RFC 6238 §5.2); failed_attempts/last_failed_at slow down guessing.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('second_factors', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().unique().references('id').inTable('users').onDelete('CASCADE');
    t.text('secret_encrypted').notNullable();
    t.string('confirmed_at', 24).nullable();
    t.bigInteger('last_time_step').nullable();
    t.integer('failed_attempts').notNullable().defaultTo(0);
    t.string('last_failed_at', 24).nullable();
    t.string('created_at', 24).notNullable();
    t.check('failed_attempts >= 0', [], 'second_factors_failed_attempts_check');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('second_factors');
}
