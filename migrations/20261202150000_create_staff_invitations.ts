import type { Knex } from 'knex';

/** An organization's invitation of a colleague: single use, expiring; only the SHA-256 of the token is kept. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('staff_invitations', (t) => {
    t.increments('id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.string('token_hash', 64).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.integer('invited_by').unsigned().notNullable().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('expires_at', 24).notNullable();
    t.string('used_at', 24);
    t.integer('used_by').unsigned().references('users.id');
    t.index(['organization_id', 'created_at'], 'staff_invitations_org_idx');
    t.check('(used_at IS NULL) = (used_by IS NULL)', [], 'staff_invitations_used_together');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('staff_invitations');
}
