import type { Knex } from 'knex';

// Indexes of the auditor reports (src/modules/reports/README.md says which report uses which):
// - fund_entries_report_idx: the fund report groups a street-year's entries by source and kind and
//   sums amount_fen; with every column in the index PostgreSQL answers from the index alone.
// - fund_entries_paid_month_idx: paid month by month and the date-range reports (kind, then time).
// - contracts_street_year_idx: the contract register of a street-year, whatever the status.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.index(['year', 'street_office_id', 'source', 'kind', 'amount_fen'], 'fund_entries_report_idx');
    t.index(['street_office_id', 'kind', 'created_at'], 'fund_entries_paid_month_idx');
  });
  await db.schema.alterTable('contracts', (t) => {
    t.index(['street_office_id', 'year'], 'contracts_street_year_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.dropIndex([], 'fund_entries_report_idx');
    t.dropIndex([], 'fund_entries_paid_month_idx');
  });
  await db.schema.alterTable('contracts', (t) => {
    t.dropIndex([], 'contracts_street_year_idx');
  });
}
