import type { Knex } from 'knex';

// One balance row per (street office, year, source), kept in step with the ledger (fund_entries) in
// the same transaction. The CHECK constraints make the fund invariant the database's own rule:
// whatever a service forgets, reserved + committed + paid can never exceed what was allocated.
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('fund_accounts', (t) => {
    t.increments('id');
    t.integer('street_office_id').notNullable().references('id').inTable('street_offices');
    t.integer('year').notNullable();
    t.string('source', 20).notNullable();
    t.bigInteger('allocated_fen').notNullable().defaultTo(0);
    t.bigInteger('reserved_fen').notNullable().defaultTo(0);
    t.bigInteger('committed_fen').notNullable().defaultTo(0);
    t.bigInteger('paid_fen').notNullable().defaultTo(0);
    t.string('updated_at', 24).notNullable();
    t.unique(['street_office_id', 'year', 'source']);
    t.index(['year', 'street_office_id'], 'fund_accounts_year_street_idx');
    t.check("source in ('fiscal', 'lottery', 'development_fund', 'donation')", [], 'fund_accounts_source_check');
    t.check('year between 2000 and 2100', [], 'fund_accounts_year_check');
    t.check(
      'allocated_fen >= 0 and reserved_fen >= 0 and committed_fen >= 0 and paid_fen >= 0',
      [],
      'fund_accounts_not_negative',
    );
    t.check('reserved_fen + committed_fen + paid_fen <= allocated_fen', [], 'fund_accounts_covered');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('fund_accounts');
}
