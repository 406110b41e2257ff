import type { Knex } from 'knex';

// The fund ledger is corrected by reversing entries, never by editing one: the database refuses
// UPDATE and DELETE on fund_entries, as it does for audit events.
export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    for (const op of ['UPDATE', 'DELETE']) {
      await db.raw(
        `CREATE TRIGGER fund_entries_no_${op.toLowerCase()} BEFORE ${op} ON fund_entries
         BEGIN SELECT RAISE(ABORT, 'fund entries are append-only'); END`,
      );
    }
    return;
  }
  await db.raw(`CREATE FUNCTION fund_entries_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'fund entries are append-only'; END $$ LANGUAGE plpgsql`);
  await db.raw(`CREATE TRIGGER fund_entries_no_change BEFORE UPDATE OR DELETE ON fund_entries
    FOR EACH ROW EXECUTE FUNCTION fund_entries_append_only()`);
  await db.raw(`CREATE TRIGGER fund_entries_no_truncate BEFORE TRUNCATE ON fund_entries
    FOR EACH STATEMENT EXECUTE FUNCTION fund_entries_append_only()`);
}

export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await db.raw('DROP TRIGGER IF EXISTS fund_entries_no_update');
    await db.raw('DROP TRIGGER IF EXISTS fund_entries_no_delete');
    return;
  }
  await db.raw('DROP TRIGGER IF EXISTS fund_entries_no_change ON fund_entries');
  await db.raw('DROP TRIGGER IF EXISTS fund_entries_no_truncate ON fund_entries');
  await db.raw('DROP FUNCTION IF EXISTS fund_entries_append_only()');
}
