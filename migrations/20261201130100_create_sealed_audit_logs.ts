import type { Knex } from 'knex';

// One sealed audit log per call (src/audit/sealed.ts): its own chain head for the events of bids
// before the deadline, so that the main chain's count and ids do not move with a sealed bid.
// committed_event_id is the main-chain event that committed to (event_count, last_hash) at the
// opening of bids; head_mac binds all of it under the audit key.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sealed_audit_logs', (t) => {
    t.integer('call_id').unsigned().primary().references('calls.id');
    t.integer('event_count').notNullable();
    t.string('last_hash', 64).notNullable();
    t.integer('committed_event_id');
    t.string('head_mac', 64).notNullable();
    t.check('event_count >= 0', [], 'sealed_audit_logs_count_non_negative');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sealed_audit_logs');
}
