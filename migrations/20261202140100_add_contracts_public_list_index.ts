import type { Knex } from 'knex';

// The public contract list (signed contracts, newest first, by year, optionally per street office):
// the most visited list of the site, paginated with ORDER BY id DESC.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('contracts', (t) => {
    t.index(['year', 'status', 'id'], 'contracts_public_list_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('contracts', (t) => {
    t.dropIndex(['year', 'status', 'id'], 'contracts_public_list_idx');
  });
}
