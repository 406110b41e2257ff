import type { Knex } from 'knex';

// A contract (合同) of one award item: draft -> sent -> accepted (or returned, back to draft) ->
// active (signed) -> completed | terminated. The terms live in contract_versions; this row holds
// the number, the parties' snapshot, the state and who did what when.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('contracts', (t) => {
    t.increments('id');
    t.string('number', 40).notNullable();
    t.integer('street_office_id').unsigned().notNullable().references('street_offices.id');
    t.integer('year').notNullable();
    t.integer('seq').notNullable();
    t.integer('award_id').unsigned().notNullable().references('awards.id');
    t.integer('award_item_id').unsigned().notNullable().references('award_items.id');
    t.integer('call_id').unsigned().notNullable().references('calls.id');
    t.integer('organization_id').unsigned().notNullable().references('organizations.id');
    t.string('title', 200).notNullable();
    t.string('status', 20).notNullable();
    t.integer('current_version').notNullable().defaultTo(1);
    t.text('party_a_json').notNullable();
    t.text('party_b_json').notNullable();
    t.string('signing_deadline', 24).notNullable();
    t.string('sent_at', 24);
    t.integer('sent_by').unsigned().references('users.id');
    t.string('returned_at', 24);
    t.integer('returned_by').unsigned().references('users.id');
    t.string('return_comment', 2000);
    t.string('accepted_at', 24);
    t.integer('accepted_by').unsigned().references('users.id');
    t.string('signed_at', 24);
    t.integer('signed_by').unsigned().references('users.id');
    t.string('signing_date', 10);
    t.integer('pdf_file_id').unsigned().references('stored_files.id');
    t.string('pdf_sha256', 64);
    t.integer('scan_file_id').unsigned().references('stored_files.id');
    t.string('scan_sha256', 64);
    t.string('completed_at', 24);
    t.string('terminated_at', 24);
    t.integer('terminated_by').unsigned().references('users.id');
    t.string('termination_reason', 2000);
    t.integer('created_by').unsigned().references('users.id');
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.unique(['number'], { indexName: 'contracts_number_unique' });
    t.unique(['street_office_id', 'year', 'seq'], { indexName: 'contracts_street_year_seq_unique' });
    t.unique(['award_item_id'], { indexName: 'contracts_one_per_award_item' });
    t.check(
      "status in ('draft', 'sent', 'accepted', 'active', 'completed', 'terminated')",
      [],
      'contracts_status_known',
    );
    t.check(
      "status not in ('active', 'completed', 'terminated') or (signed_at is not null and pdf_sha256 is not null)",
      [],
      'contracts_signed_has_pdf',
    );
    t.check("status <> 'terminated' or termination_reason is not null", [], 'contracts_terminated_has_reason');
    t.index(['street_office_id', 'status', 'year'], 'contracts_street_status_idx');
    t.index(['organization_id', 'status'], 'contracts_organization_idx');
    t.index(['award_id'], 'contracts_award_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('contracts');
}
