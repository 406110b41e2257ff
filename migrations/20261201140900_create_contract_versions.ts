import type { Knex } from 'knex';

// Every version of a contract's terms: the first (draft, then current on signing) and each
// amendment (变更: proposed -> current | rejected; the version it replaces becomes superseded).
// The milestones and funding sources of the version are kept as a JSON snapshot; the live
// milestone rows (contract_milestones) follow the current version.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('contract_versions', (t) => {
    t.increments('id');
    t.integer('contract_id').unsigned().notNullable().references('contracts.id');
    t.integer('version').notNullable();
    t.string('status', 20).notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.string('period_start', 10).notNullable();
    t.string('period_end', 10).notNullable();
    t.text('service_plan').notNullable();
    t.text('sources_json').notNullable();
    t.text('milestones_json').notNullable();
    t.text('reasons_json');
    t.text('changes_json');
    t.integer('proposed_by').unsigned().references('users.id');
    t.string('proposed_at', 24).notNullable();
    t.integer('decided_by').unsigned().references('users.id');
    t.string('decided_at', 24);
    t.string('decision_comment', 2000);
    t.unique(['contract_id', 'version'], { indexName: 'contract_versions_unique' });
    t.check(
      "status in ('draft', 'current', 'superseded', 'proposed', 'rejected')",
      [],
      'contract_versions_status_known',
    );
    t.check('amount_fen > 0', [], 'contract_versions_amount_positive');
    t.check('period_start <= period_end', [], 'contract_versions_period_order');
  });
  // At most one amendment waiting for the organization, and one version in force.
  await db.raw(
    `CREATE UNIQUE INDEX contract_versions_one_proposed ON contract_versions (contract_id) WHERE status = 'proposed'`,
  );
  await db.raw(
    `CREATE UNIQUE INDEX contract_versions_one_current ON contract_versions (contract_id) WHERE status in ('draft', 'current')`,
  );
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('contract_versions');
}
