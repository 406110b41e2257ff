import type { Knex } from 'knex';

// What an approval wrote, never changed (append-only, next migrations): a release (money paid
// from the contract's commitment), a withheld settlement (amount 0, nothing paid) or a reversal
// (追回: paid back to available, linked to the release). One row per approved proposal.
//  - At most one settling payment (release or withheld) per milestone (contract and number):
//    partial unique index.
//  - A release never exceeds its milestone's share, and what a contract has released, less its
//    reversals, never exceeds its amount in force; a reversal never exceeds what is left of its
//    release: a BEFORE INSERT trigger (next migration) checks these against the committed rows,
//    which the approving transaction reads after locking the contract row.
//  - Four eyes: approved_by <> proposed_by.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('payments', (t) => {
    t.increments('id');
    t.string('kind', 10).notNullable();
    t.integer('proposal_id').unsigned().notNullable().references('payment_proposals.id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('milestone_id').unsigned().notNullable().references('contract_milestones.id');
    t.integer('milestone_seq').notNullable();
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.bigInteger('amount_fen').notNullable();
    t.integer('reverses_payment_id').unsigned().nullable().references('payments.id');
    t.integer('proposed_by').unsigned().notNullable().references('users.id');
    t.string('proposed_at', 24).notNullable();
    t.integer('approved_by').unsigned().notNullable().references('users.id');
    t.string('approved_at', 24).notNullable();
    t.unique(['proposal_id'], { indexName: 'payments_one_per_proposal' });
    t.index(['street_office_id', 'approved_at'], 'payments_street_time_idx');
    t.index(['contract_id', 'milestone_seq'], 'payments_contract_idx');
    t.index(['organization_id', 'id'], 'payments_organization_idx');
    t.check("kind in ('release', 'withheld', 'reversal')", [], 'payments_kind_known');
    t.check("(kind = 'withheld') = (amount_fen = 0) and amount_fen >= 0", [], 'payments_amount_by_kind');
    t.check("(kind = 'reversal') = (reverses_payment_id is not null)", [], 'payments_reversal_links');
    t.check('approved_by <> proposed_by', [], 'payments_four_eyes');
  });
  await db.raw(
    "CREATE UNIQUE INDEX payments_one_settling_per_milestone ON payments (contract_id, milestone_seq) WHERE kind <> 'reversal'",
  );

  // Per source: the amount and the ledger entry that moved it (payment, or payment_reversal).
  await db.schema.createTable('payment_sources', (t) => {
    t.increments('id');
    t.integer('payment_id').unsigned().notNullable().references('payments.id');
    t.string('source', 20).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.integer('ledger_entry_id').unsigned().notNullable().references('fund_entries.id');
    t.integer('release_entry_id').unsigned().nullable().references('fund_entries.id');
    t.unique(['payment_id', 'source'], { indexName: 'payment_sources_unique' });
    t.unique(['ledger_entry_id'], { indexName: 'payment_sources_entry_unique' });
    t.check("source in ('fiscal', 'lottery', 'development_fund', 'donation')", [], 'payment_sources_source_check');
    t.check('amount_fen > 0', [], 'payment_sources_amount_positive');
  });

  // The voucher number or bank transfer reference (支付凭证号) and date, recorded once the money has
  // actually left (or, for a reversal, come back).
  await db.schema.createTable('payment_vouchers', (t) => {
    t.increments('id');
    t.integer('payment_id').unsigned().notNullable().references('payments.id');
    t.string('voucher_ref', 100).notNullable();
    t.string('paid_on', 10).notNullable();
    t.integer('recorded_by').unsigned().notNullable().references('users.id');
    t.string('recorded_at', 24).notNullable();
    t.unique(['payment_id'], { indexName: 'payment_vouchers_one_per_payment' });
  });

  // After a withheld milestone: the manager's decision, with a reason, whether the contract goes on.
  await db.schema.createTable('payment_withheld_decisions', (t) => {
    t.increments('id');
    t.integer('payment_id').unsigned().notNullable().references('payments.id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.string('decision', 10).notNullable();
    t.string('reason', 2000).notNullable();
    t.integer('decided_by').unsigned().notNullable().references('users.id');
    t.string('decided_at', 24).notNullable();
    t.unique(['payment_id'], { indexName: 'payment_withheld_decisions_once' });
    t.check("decision in ('continue', 'terminate')", [], 'payment_withheld_decisions_known');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('payment_withheld_decisions');
  await db.schema.dropTable('payment_vouchers');
  await db.schema.dropTable('payment_sources');
  await db.schema.dropTable('payments');
}
