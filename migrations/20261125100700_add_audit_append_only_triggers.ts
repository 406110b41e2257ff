import type { Knex } from 'knex';

// The database itself refuses to edit or delete an audit event; the hash chain catches whoever
// goes around this (by dropping the trigger or editing the file).
export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    for (const op of ['UPDATE', 'DELETE']) {
      await db.raw(
        `CREATE TRIGGER audit_events_no_${op.toLowerCase()} BEFORE ${op} ON audit_events
         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`,
      );
    }
    return;
  }
  await db.raw(`CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql`);
  await db.raw(`CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  await db.raw(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('DROP TRIGGER IF EXISTS audit_events_no_update');
    await db.raw('DROP TRIGGER IF EXISTS audit_events_no_delete');
    return;
  }
  await db.raw('DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events');
  await db.raw('DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events');
  await db.raw('DROP FUNCTION IF EXISTS audit_events_append_only()');
}
