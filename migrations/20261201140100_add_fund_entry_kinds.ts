import type { Knex } from 'knex';

// Three movements the contracts and payments need:
//   commitment_increase  available → committed  (an amendment raises a contract's amount)
//   commitment_release   committed → available  (a lowering amendment, or a termination)
//   payment_reversal     paid → committed       (a payment undone)
// Each of them belongs to an award item (award_item_id not null); a reversal and a payment reversal
// name the entry they undo (reverses_entry_id, unique: once). The trigger of the next migration
// checks that the entry undone fits.
//
// SQLite cannot change a CHECK constraint in place: the table is rebuilt from its own CREATE
// statement with the constraint replaced, and its indexes and append-only triggers are put back
// exactly as they were. PostgreSQL drops and re-adds the constraints.

const OLD_KINDS = "kind in ('allocation', 'reversal', 'reservation', 'reservation_release', 'commitment', 'payment')";
const NEW_KINDS =
  "kind in ('allocation', 'reversal', 'reservation', 'reservation_release', 'commitment', 'payment', 'commitment_increase', 'commitment_release', 'payment_reversal')";
const REVERSES_REQUIRED = "kind not in ('reversal', 'payment_reversal') or reverses_entry_id is not null";
const HOLDER_REQUIRED =
  "kind not in ('commitment_increase', 'commitment_release', 'payment_reversal') or award_item_id is not null";

const oldCheck = `constraint fund_entries_kind_check check (${OLD_KINDS})`;
const newChecks =
  `constraint fund_entries_kind_check check (${NEW_KINDS}), ` +
  `constraint fund_entries_reverses_required check (${REVERSES_REQUIRED}), ` +
  `constraint fund_entries_holder_required check (${HOLDER_REQUIRED})`;

/** Rebuilds fund_entries on SQLite with `from` replaced by `to` in its CREATE TABLE statement. */
async function rebuildSqlite(db: Knex, from: string, to: string): Promise<void> {
  const objects: { type: string; name: string; sql: string | null }[] = await db.raw(
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'fund_entries' ORDER BY type DESC, name",
  );
  const table = objects.find((o) => o.type === 'table');
  if (!table?.sql?.includes(from)) throw new Error('fund_entries does not have the expected CHECK constraint');
  const indexes = objects.filter((o) => o.type === 'index' && o.sql);
  const triggers = objects.filter((o) => o.type === 'trigger' && o.sql);
  const columns: { name: string }[] = await db.raw("SELECT name FROM pragma_table_info('fund_entries') ORDER BY cid");
  const list = columns.map((c) => `"${c.name}"`).join(', ');

  for (const t of triggers) await db.raw(`DROP TRIGGER "${t.name}"`);
  for (const i of indexes) await db.raw(`DROP INDEX "${i.name}"`);
  // Renamed first, so that the new table is created under the real name and its self-reference
  // (reverses_entry_id) points at itself; the old table then drops without any row pointing at it.
  await db.raw('ALTER TABLE fund_entries RENAME TO fund_entries_old');
  await db.raw(table.sql.replace(from, to));
  await db.raw(`INSERT INTO fund_entries (${list}) SELECT ${list} FROM fund_entries_old ORDER BY id`);
  await db.raw('DROP TABLE fund_entries_old');
  for (const i of indexes) await db.raw(i.sql!);
  for (const t of triggers) await db.raw(t.sql!);
}

export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await rebuildSqlite(db, oldCheck, newChecks);
    return;
  }
  await db.raw('ALTER TABLE fund_entries DROP CONSTRAINT fund_entries_kind_check');
  await db.raw(`ALTER TABLE fund_entries ADD CONSTRAINT fund_entries_kind_check CHECK (${NEW_KINDS})`);
  await db.raw(`ALTER TABLE fund_entries ADD CONSTRAINT fund_entries_reverses_required CHECK (${REVERSES_REQUIRED})`);
  await db.raw(`ALTER TABLE fund_entries ADD CONSTRAINT fund_entries_holder_required CHECK (${HOLDER_REQUIRED})`);
}

/** Refused (by the old CHECK) while the ledger holds entries of the new kinds: they cannot be dropped. */
export async function down(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    await rebuildSqlite(db, newChecks, oldCheck);
    return;
  }
  await db.raw('ALTER TABLE fund_entries DROP CONSTRAINT fund_entries_holder_required');
  await db.raw('ALTER TABLE fund_entries DROP CONSTRAINT fund_entries_reverses_required');
  await db.raw('ALTER TABLE fund_entries DROP CONSTRAINT fund_entries_kind_check');
  await db.raw(`ALTER TABLE fund_entries ADD CONSTRAINT fund_entries_kind_check CHECK (${OLD_KINDS})`);
}
