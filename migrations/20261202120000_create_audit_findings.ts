import type { Knex } from 'knex';

// An auditor's finding (审计意见) on a contract, a payment or a street-year, and the street office's
// written answer. The only thing an auditor writes. A finding is never edited or deleted: it is
// recorded, then answered once (open -> answered), both audited.
// payment_id carries no foreign key: payments belong to the payments module.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('audit_findings', (t) => {
    t.increments('id');
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.string('subject_type', 20).notNullable();
    t.integer('contract_id').unsigned().nullable().references('contracts.id');
    t.integer('payment_id').nullable();
    t.integer('year').nullable();
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.integer('auditor_id').unsigned().notNullable().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('status', 20).notNullable().defaultTo('open');
    t.text('answer').nullable();
    t.integer('answered_by').unsigned().nullable().references('users.id');
    t.string('answered_at', 24).nullable();
    t.check("subject_type in ('contract', 'payment', 'street_year')", [], 'audit_findings_subject_known');
    t.check("status in ('open', 'answered')", [], 'audit_findings_status_known');
    t.check("subject_type <> 'contract' or contract_id is not null", [], 'audit_findings_contract_named');
    t.check("subject_type <> 'payment' or payment_id is not null", [], 'audit_findings_payment_named');
    t.check("subject_type <> 'street_year' or (year between 2000 and 2100)", [], 'audit_findings_year_named');
    t.check(
      "(status = 'answered') = (answer is not null and answered_by is not null and answered_at is not null)",
      [],
      'audit_findings_answer_complete',
    );
    // Lists for the street office (newest first) and the contract dossier.
    t.index(['street_office_id', 'id'], 'audit_findings_street_idx');
    t.index(['contract_id'], 'audit_findings_contract_idx');
    t.index(['auditor_id', 'id'], 'audit_findings_auditor_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('audit_findings');
}
