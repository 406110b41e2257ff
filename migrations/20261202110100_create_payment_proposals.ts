import type { Knex } from 'knex';

// A proposal to settle a milestone (release its payment, or record that it is withheld) or to
// reverse part or all of a released payment (追回). Proposed by a manager, then approved or rejected
// by a second officer: the state changes only by a conditional UPDATE from 'proposed' (row count
// checked), and a trigger of the next migration freezes a decided proposal. Four eyes in the
// database: the user who decides is never the user who proposed (CHECK on the user ids).
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('payment_proposals', (t) => {
    t.increments('id');
    t.string('kind', 10).notNullable();
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    // The milestone row proposed on, without a foreign key: an amendment replaces a contract's
    // unsettled milestone rows, and an approval then finds the id changed and refuses (propose again).
    t.integer('milestone_id').unsigned().notNullable();
    t.integer('milestone_seq').notNullable();
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.bigInteger('amount_fen').notNullable();
    // What the evaluation (or, for an advance, the share) allows; a reversal: what is still reversible.
    t.bigInteger('allowed_fen').notNullable();
    t.text('sources_json').notNullable();
    // The evaluation the amount follows from (null for an advance and a reversal), fixed here.
    t.integer('evaluation_id').unsigned().nullable().references('milestone_evaluations.id');
    t.integer('score').nullable();
    t.string('grade', 20).nullable();
    t.text('basis_json').notNullable();
    t.string('reason', 2000).nullable();
    t.integer('invoice_id').unsigned().nullable().references('payment_invoices.id');
    t.integer('reverses_payment_id').unsigned().nullable();
    t.string('status', 10).notNullable();
    t.integer('proposed_by').unsigned().notNullable().references('users.id');
    t.string('proposed_at', 24).notNullable();
    t.integer('decided_by').unsigned().nullable().references('users.id');
    t.string('decided_at', 24).nullable();
    t.string('decision_reason', 2000).nullable();
    t.index(['street_office_id', 'status', 'id'], 'payment_proposals_queue_idx');
    t.index(['contract_id', 'milestone_seq'], 'payment_proposals_contract_idx');
    t.check("kind in ('release', 'withheld', 'reversal')", [], 'payment_proposals_kind_known');
    t.check("status in ('proposed', 'approved', 'rejected')", [], 'payment_proposals_status_known');
    t.check('amount_fen >= 0 and amount_fen <= allowed_fen', [], 'payment_proposals_amount_allowed');
    t.check("(kind = 'withheld') = (amount_fen = 0)", [], 'payment_proposals_withheld_is_zero');
    t.check("(kind = 'reversal') = (reverses_payment_id is not null)", [], 'payment_proposals_reversal_names_payment');
    t.check(
      "kind = 'release' and amount_fen = allowed_fen or reason is not null",
      [],
      'payment_proposals_reason_when_less',
    );
    t.check(
      "(status = 'proposed') = (decided_by is null and decided_at is null)",
      [],
      'payment_proposals_decided_together',
    );
    t.check("status <> 'rejected' or decision_reason is not null", [], 'payment_proposals_rejection_reason');
    t.check('decided_by is null or decided_by <> proposed_by', [], 'payment_proposals_four_eyes');
  });
  // One open settling proposal per milestone, one open reversal per payment.
  await db.raw(
    "CREATE UNIQUE INDEX payment_proposals_one_open_settling ON payment_proposals (contract_id, milestone_seq) WHERE status = 'proposed' AND kind <> 'reversal'",
  );
  await db.raw(
    "CREATE UNIQUE INDEX payment_proposals_one_open_reversal ON payment_proposals (reverses_payment_id) WHERE status = 'proposed' AND kind = 'reversal'",
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('payment_proposals');
}
