import type { Knex } from 'knex';

// One public checkpoint of the main audit chain per Beijing day (src/audit/checkpoints.ts): the
// chain's count and head hash as they stood just before the day's first main-chain event, written in
// that event's own transaction under the chain head's lock. The day is the primary key, so several
// app instances can never write two for one day.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_checkpoints', (t) => {
    t.string('day', 10).primary(); // YYYY-MM-DD in Asia/Shanghai
    t.integer('event_id').notNullable(); // = the chain's event count at that point (ids have no gaps)
    t.string('hash', 64).notNullable();
    t.string('written_at', 24).notNullable(); // UTC ISO
    t.check('event_id >= 0', [], 'audit_checkpoints_event_id_non_negative');
    t.index(['event_id']);
  });
  // Like the events: a checkpoint, once written, is never edited or deleted.
  if (db.client.config.client === 'sqlite3') {
    for (const op of ['UPDATE', 'DELETE']) {
      await db.raw(
        `CREATE TRIGGER audit_checkpoints_no_${op.toLowerCase()} BEFORE ${op} ON audit_checkpoints
         BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END`,
      );
    }
    return;
  }
  await db.raw(`CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  await db.raw(`CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit_checkpoints');
}
