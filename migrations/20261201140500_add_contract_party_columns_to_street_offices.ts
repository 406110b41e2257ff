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
  if (db.client.config.client === 'sqlite3') {
    // In place: knex would rebuild the table, which the whole schema references.
    await db.raw('DROP INDEX street_offices_short_code_unique');
    for (const column of ['short_code', 'legal_representative', 'address'])
      await db.raw(`ALTER TABLE street_offices DROP COLUMN ${column}`);
    return;
  }
  await db.schema.alterTable('street_offices', (t) => {
    t.dropUnique(['short_code'], 'street_offices_short_code_unique');
    t.dropColumn('short_code');
    t.dropColumn('legal_representative');
    t.dropColumn('address');
  });
}
