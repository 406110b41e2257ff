import type { Knex } from 'knex';

// A street office is party A (甲方) of its contracts: a short code for contract numbers (DS-2026-0007),
// its legal representative and address. Nullable, because existing street offices have none yet;
// a contract cannot be drafted until the administrator fills in the short code.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('street_offices', (t) => {
    t.string('short_code', 8).nullable();
    t.string('legal_representative', 100).nullable();
    t.string('address', 300).nullable();
    t.unique(['short_code'], { indexName: 'street_offices_short_code_unique' });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('street_offices', (t) => {
    t.dropUnique(['short_code'], 'street_offices_short_code_unique');
    t.dropColumn('short_code');
    t.dropColumn('legal_representative');
    t.dropColumn('address');
  });
}
