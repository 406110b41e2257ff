import type { Knex } from 'knex';

// The organization's invoice or receipt (发票/收据) for a milestone's payment, uploaded before the
// proposal (content-checked into stored_files). Never changed: a wrong one is followed by a new one,
// and the proposal names the one it was made on.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('payment_invoices', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    // By number, not by row: an amendment replaces the unsettled milestone rows of a contract.
    t.integer('milestone_seq').notNullable();
    t.integer('file_id').unsigned().notNullable().references('stored_files.id');
    t.string('kind', 10).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.integer('uploaded_by').unsigned().notNullable().references('users.id');
    t.string('uploaded_at', 24).notNullable();
    t.index(['contract_id', 'milestone_seq', 'id'], 'payment_invoices_milestone_idx');
    t.check("kind in ('invoice', 'receipt')", [], 'payment_invoices_kind_known');
    t.check('amount_fen > 0', [], 'payment_invoices_amount_positive');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('payment_invoices');
}
