import type { Knex } from 'knex';

// Recovery codes, shown once at enrolment: only an HMAC of each (keyed with MFA_KEY) is kept, so a copy
// of the database does not reveal them. A code is spent by a conditional update of used_at.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('recovery_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable().unique();
    t.string('used_at', 24).nullable();
    t.string('created_at', 24).notNullable();
    t.index(['user_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('recovery_codes');
}
