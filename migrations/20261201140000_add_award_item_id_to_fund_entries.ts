import type { Knex } from 'knex';

// Committed money is held per award item (then per contract), per source: the entries that commit,
// pay, release or restore money name the award item whose money it is, so that a venture call's
// several contracts never draw on each other's. Nullable: allocations and reservations belong to no
// item, and commitments written before this column are attributed through their call (see
// src/modules/funds/README.md, "Old confirmed awards"). The ledger is append-only, so old rows are
// never back-filled.
export async function up(db: Knex): Promise<void> {
  if (db.client.config.client === 'sqlite3') {
    // SQLite adds a column with a foreign key only through plain ALTER TABLE ... ADD COLUMN.
    await db.raw('ALTER TABLE fund_entries ADD COLUMN award_item_id integer NULL REFERENCES award_items(id)');
  } else {
    await db.schema.alterTable('fund_entries', (t) => {
      t.integer('award_item_id').nullable().references('id').inTable('award_items');
    });
  }
  await db.schema.alterTable('fund_entries', (t) => {
    t.index(['award_item_id', 'source'], 'fund_entries_award_item_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.dropIndex(['award_item_id', 'source'], 'fund_entries_award_item_idx');
  });
  if (db.client.config.client === 'sqlite3') {
    await db.raw('ALTER TABLE fund_entries DROP COLUMN award_item_id');
  } else {
    await db.schema.alterTable('fund_entries', (t) => t.dropColumn('award_item_id'));
  }
}
