import type { Knex } from 'knex';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_events', (t) => {
    t.increments('id');
    t.string('occurred_at', 24).notNullable();
    t.integer('actor_user_id');
    t.string('actor_label', 100).notNullable();
    t.string('actor_role', 20);
    t.integer('street_office_id');
    t.integer('organization_id');
    t.string('action', 64).notNullable();
    t.string('subject_type', 40).notNullable();
    t.string('subject_id', 40);
    t.text('before_json');
    t.text('after_json');
    t.string('ip', 64);
    t.string('request_id', 64);
    // Hash chain: each event stores the hash of the one before, so an edit or a deletion breaks it.
    t.string('prev_hash', 64).notNullable().unique();
    t.string('hash', 64).notNullable().unique();
    t.index(['street_office_id', 'id']);
    t.index(['subject_type', 'subject_id']);
    t.index(['actor_user_id', 'id']);
    t.index(['action', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit_events');
}
