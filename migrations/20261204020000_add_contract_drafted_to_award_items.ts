import type { Knex } from 'knex';

// The manager's queue lists each final award item still without a contract ("起草合同"). Found as
// "no contract for this item", it meant probing every award item the street ever had (17 ms at
// full scale). The award item now records when its contract was drafted (contracts tell the awards
// module in the drafting transaction; a contract is never deleted), so the items waiting for one
// are the few whose time is still empty, straight from this index.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('award_items', (t) => {
    t.string('contract_drafted_at', 24).nullable();
  });
  await db.raw(
    'UPDATE award_items SET contract_drafted_at = (SELECT c.created_at FROM contracts c WHERE c.award_item_id = award_items.id)',
  );
  await db.schema.alterTable('award_items', (t) => {
    t.index(['contract_drafted_at', 'award_id'], 'award_items_contract_drafted_idx');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('award_items', (t) => {
    t.dropIndex(['contract_drafted_at', 'award_id'], 'award_items_contract_drafted_idx');
  });
  await db.schema.alterTable('award_items', (t) => {
    t.dropColumn('contract_drafted_at');
  });
}
