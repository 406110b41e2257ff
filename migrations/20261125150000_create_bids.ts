import type { Knex } from 'knex';

// A bid (投标) or venture proposal (申报) of an organization on a call. Sealed until the call's
// closing time: only the bidding organization's staff may see anything of it before then.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('bids', (t) => {
    t.increments('id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    // draft (saved, not yet submitted) -> submitted; withdrawn before the deadline (then a new bid may be made)
    t.string('status', 20).notNullable().defaultTo('draft');
    t.bigInteger('price_fen');
    // A venture proposal may bring the organization's own matching funds (配套资金) on top of the grant.
    t.bigInteger('matching_funds_fen').notNullable().defaultTo(0);
    t.text('service_plan');
    t.text('staffing');
    t.text('schedule');
    t.text('expected_outcomes');
    t.string('submitted_at', 24);
    t.string('withdrawn_at', 24);
    t.integer('created_by').unsigned().references('users.id');
    t.integer('updated_by').unsigned().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.check('price_fen is null or price_fen > 0', [], 'bids_price_positive');
    t.check('matching_funds_fen >= 0', [], 'bids_matching_non_negative');
    t.index(['call_id', 'status'], 'bids_call_status_idx');
    t.index(['organization_id', 'id'], 'bids_org_idx');
  });
  // One active (draft or submitted) bid per organization per call; the database decides races.
  await db.raw(
    `CREATE UNIQUE INDEX bids_one_active_per_org ON bids (call_id, organization_id) WHERE status <> 'withdrawn'`,
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('bids');
}
