import type { Knex } from 'knex';

// The fund ledger: every movement of money between allocated, reserved, committed and paid is one
// row, never edited. amount_fen is always positive; `kind` says which way it moves. A reversal
// points at the allocation it undoes, and the unique index lets an allocation be reversed once.
// call_id / contract_id carry no foreign key: those tables belong to later modules.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('fund_entries', (t) => {
    t.increments('id');
    t.integer('street_office_id').notNullable().references('id').inTable('street_offices');
    t.integer('year').notNullable();
    t.string('source', 20).notNullable();
    t.string('kind', 20).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.integer('call_id').nullable();
    t.integer('contract_id').nullable();
    t.integer('reverses_entry_id').nullable().references('id').inTable('fund_entries').unique();
    t.string('note', 500).nullable();
    t.integer('created_by').nullable().references('id').inTable('users');
    t.string('created_at', 24).notNullable();
    // The street-year page lists the ledger newest first, paginated.
    t.index(['street_office_id', 'year', 'id'], 'fund_entries_street_year_idx');
    t.index(['call_id', 'source'], 'fund_entries_call_idx');
    t.index(['contract_id', 'source'], 'fund_entries_contract_idx');
    t.check("source in ('fiscal', 'lottery', 'development_fund', 'donation')", [], 'fund_entries_source_check');
    t.check(
      "kind in ('allocation', 'reversal', 'reservation', 'reservation_release', 'commitment', 'payment')",
      [],
      'fund_entries_kind_check',
    );
    t.check('amount_fen > 0', [], 'fund_entries_amount_positive');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('fund_entries');
}
