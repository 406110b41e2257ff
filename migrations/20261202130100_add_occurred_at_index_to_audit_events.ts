import type { Knex } from 'knex';

// The audit trail's date filter turns a Beijing date range into an id range (events are appended in
// time order) with one indexed look-up at each end, so keyset pages stay on the primary key.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_events', (t) => {
    t.index(['occurred_at', 'id'], 'audit_events_occurred_at_id_index');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('audit_events', (t) => {
    t.dropIndex(['occurred_at', 'id'], 'audit_events_occurred_at_id_index');
  });
}
