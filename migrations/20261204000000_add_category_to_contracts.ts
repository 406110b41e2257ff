import type { Knex } from 'knex';

// The public contract list filtered by category (issue 14 speed, issue 15): a contract's category
// was reached through its call and the call's catalogue item, so the newest twenty of a category
// meant reading every contract of the province newest first and probing each one's call (2.5x the
// 1 % set's time at full scale). The category is kept on the contract, copied from the catalogue
// item when the contract is drafted (an item used by a call no longer changes), and indexed with
// the id: the newest of a category come straight from the index.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('contracts', (t) => {
    t.integer('category_id').nullable().references('id').inTable('service_categories');
  });
  await db.raw(`
    UPDATE contracts SET category_id = (
      SELECT ci.category_id FROM calls k JOIN catalog_items ci ON ci.id = k.catalog_item_id WHERE k.id = contracts.call_id
    )`);
  await db.schema.alterTable('contracts', (t) => {
    t.index(['category_id', 'id'], 'contracts_category_id_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('contracts', (t) => {
    t.dropIndex(['category_id', 'id'], 'contracts_category_id_idx');
  });
  await db.schema.alterTable('contracts', (t) => {
    t.dropForeign(['category_id']);
    t.dropColumn('category_id');
  });
}
