import type { Knex } from 'knex';

// The payment schedule of the contract's version in force: each milestone with its share of the
// amount, pass score, partial-payment rule and evaluation weights (inherited from the call,
// overridable). Settlement (paid or withheld) comes with the payments issue: settled_at and
// settlement are set then, and a contract completes when every milestone is settled.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('contract_milestones', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('seq').notNullable();
    t.string('title', 200).notNullable();
    t.text('deliverables').notNullable();
    t.string('due_date', 10).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.boolean('advance').notNullable().defaultTo(false);
    t.integer('pass_score').nullable();
    t.string('partial_rule', 20).notNullable().defaultTo('none');
    t.integer('floor_score').nullable();
    t.integer('weight_self').notNullable();
    t.integer('weight_manager').notNullable();
    t.integer('weight_peer').notNullable();
    t.integer('weight_citizen').notNullable();
    t.integer('weight_third_party').notNullable();
    t.string('settlement', 20).nullable();
    t.string('settled_at', 24).nullable();
    t.unique(['contract_id', 'seq'], { indexName: 'contract_milestones_seq_unique' });
    t.index(['due_date'], 'contract_milestones_due_idx');
    t.check('amount_fen >= 0', [], 'contract_milestones_amount_nonnegative');
    t.check(
      'pass_score is null or (pass_score >= 0 and pass_score <= 100)',
      [],
      'contract_milestones_pass_score_range',
    );
    t.check("partial_rule in ('none', 'pro_rata')", [], 'contract_milestones_partial_rule_known');
    t.check(
      "partial_rule <> 'pro_rata' or (floor_score is not null and pass_score is not null and floor_score >= 0 and floor_score < pass_score)",
      [],
      'contract_milestones_floor_below_pass',
    );
    t.check(
      'weight_self + weight_manager + weight_peer + weight_citizen + weight_third_party = 100',
      [],
      'contract_milestones_weights_sum',
    );
    t.check(
      "settlement is null or settlement in ('paid', 'withheld', 'partial')",
      [],
      'contract_milestones_settlement_known',
    );
    t.check('(settlement is null) = (settled_at is null)', [], 'contract_milestones_settled_together');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('contract_milestones');
}
