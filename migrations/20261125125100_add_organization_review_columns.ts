import type { Knex } from 'knex';

// The last review decision: its reason is what the organization sees (rejected/suspended), and
// when and by whom. The full history stays in the audit trail.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.text('status_reason').nullable();
    t.string('reviewed_at', 24).nullable();
    t.integer('reviewed_by').unsigned().nullable().references('users.id');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('organizations', (t) => {
    t.dropForeign(['reviewed_by']);
    t.dropColumns('status_reason', 'reviewed_at', 'reviewed_by');
  });
}
