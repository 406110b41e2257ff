import type { Knex } from 'knex';

// The public street-year page (issue 15) sums a street-year's payments and reversals per Beijing
// month and per contract (then per category) in SQL. With every column it reads in the index
// (street, year, kind, then contract, time and amount) both groupings are answered from the index
// alone: about 1,400 index entries of one street-year at full scale, no table row.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.index(
      ['street_office_id', 'year', 'kind', 'contract_id', 'created_at', 'amount_fen'],
      'fund_entries_street_year_paid_idx',
    );
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.dropIndex(
      ['street_office_id', 'year', 'kind', 'contract_id', 'created_at', 'amount_fen'],
      'fund_entries_street_year_paid_idx',
    );
  });
}
