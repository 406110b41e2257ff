import type { Knex } from 'knex';

// Like audit_events: the database refuses to edit or delete a sealed audit event; the keyed chain
// catches whoever goes around this.
export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    for (const op of ['UPDATE', 'DELETE']) {
      await db.raw(
        `CREATE TRIGGER sealed_audit_events_no_${op.toLowerCase()} BEFORE ${op} ON sealed_audit_events
         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
      );
    }
    return;
  }
  await db.raw(`CREATE TRIGGER sealed_audit_events_no_change BEFORE UPDATE OR DELETE ON sealed_audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  await db.raw(`CREATE TRIGGER sealed_audit_events_no_truncate BEFORE TRUNCATE ON sealed_audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('DROP TRIGGER IF EXISTS sealed_audit_events_no_update');
    await db.raw('DROP TRIGGER IF EXISTS sealed_audit_events_no_delete');
    return;
  }
  await db.raw('DROP TRIGGER IF EXISTS sealed_audit_events_no_change ON sealed_audit_events');
  await db.raw('DROP TRIGGER IF EXISTS sealed_audit_events_no_truncate ON sealed_audit_events');
}
