import type { Knex } from 'knex';

// Set when the administrator resets a password to a temporary one: the user is kept on the
// password-change page until they choose their own.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('users', (t) => {
    t.boolean('must_change_password').notNullable().defaultTo(false);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('users', (t) => {
    t.dropColumn('must_change_password');
  });
}
