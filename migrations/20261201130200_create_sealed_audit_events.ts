import type { Knex } from 'knex';

// The events of a sealed log, numbered 1, 2, ... within their call (no global sequence whose gaps
// anyone could see), each linked to the previous by its HMAC.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sealed_audit_events', (t) => {
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('seq').notNullable();
    t.string('occurred_at', 24).notNullable();
    t.integer('actor_user_id');
    t.string('actor_label', 100).notNullable();
    t.string('actor_role', 20);
    t.integer('organization_id');
    t.string('action', 64).notNullable();
    t.string('subject_type', 40).notNullable();
    t.string('subject_id', 40);
    t.text('before_json');
    t.text('after_json');
    t.string('ip', 64);
    t.string('request_id', 64);
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable().unique();
    t.primary(['call_id', 'seq']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sealed_audit_events');
}
