import type { Knex } from 'knex';

// The public disclosure pages add up a year's payments across the district (and per street office)
// by kind: without this the district front page would scan the whole ledger.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.index(['kind', 'year', 'street_office_id'], 'fund_entries_kind_year_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.dropIndex(['kind', 'year', 'street_office_id'], 'fund_entries_kind_year_idx');
  });
}
