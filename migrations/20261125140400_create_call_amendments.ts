import type { Knex } from 'knex';

// Every amendment of a published call: what changed (field, before, after), when and by whom.
// Shown on the public call page; the audit trail holds the same event, hash-chained.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('call_amendments', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('user_id').unsigned().nullable().references('users.id');
    t.string('kind', 30).notNullable();
    t.text('changes_json').notNullable();
    t.string('occurred_at', 24).notNullable();
    t.index(['call_id', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('call_amendments');
}
