import type { Knex } from 'knex';

// Indexes in the order the lists read (bench/README.md, issue 15):
// - the calls list sorts by deadline then id (ORDER BY closes_at, id): read in that order instead of
//   sorting every non-draft call per request, the status (not a draft) from the index too;
// - a street office's contract list is newest first (ORDER BY id DESC within the street office);
// - its organization filter lists the organizations with contracts there: answered from the index
//   alone instead of reading every contract row of the street office;
// - the public contract list walks signed contracts newest first to the page's offset: (id, status)
//   is that walk from the index alone (the table's rows are wide), however deep the page;
// - the holdings of a contract list's award items look up the calls' commitments written before
//   award_item_id existed (call_id IN …, kind = 'commitment', award_item_id IS NULL): without an
//   index on all three the planner took award_item_id IS NULL and read every call-level entry
//   (261 ms on the full set).
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('calls', (t) => {
    t.index(['closes_at', 'id', 'status'], 'calls_closes_id_idx');
  });
  await db.schema.alterTable('contracts', (t) => {
    t.index(['street_office_id', 'id'], 'contracts_street_id_idx');
    t.index(['street_office_id', 'organization_id'], 'contracts_street_organization_idx');
    t.index(['id', 'status'], 'contracts_id_status_idx');
  });
  await db.schema.alterTable('fund_entries', (t) => {
    t.index(['call_id', 'kind', 'award_item_id'], 'fund_entries_call_kind_item_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('fund_entries', (t) => {
    t.dropIndex(['call_id', 'kind', 'award_item_id'], 'fund_entries_call_kind_item_idx');
  });
  await db.schema.alterTable('contracts', (t) => {
    t.dropIndex(['id', 'status'], 'contracts_id_status_idx');
    t.dropIndex(['street_office_id', 'organization_id'], 'contracts_street_organization_idx');
    t.dropIndex(['street_office_id', 'id'], 'contracts_street_id_idx');
  });
  await db.schema.alterTable('calls', (t) => {
    t.dropIndex(['closes_at', 'id', 'status'], 'calls_closes_id_idx');
  });
}
