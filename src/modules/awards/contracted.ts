import type { Tx } from '../../db/knex';

/**
 * The contracts module tells an award item that its contract was drafted, in the drafting
 * transaction: the manager's queue finds the items still waiting for a contract by this time being
 * empty (index award_items_contract_drafted_idx). One contract per item, so the first time stays.
 */
export async function markItemContracted(trx: Tx, awardItemId: number, at: string): Promise<void> {
  await trx('award_items')
    .where({ id: awardItemId })
    .whereNull('contract_drafted_at')
    .update({ contract_drafted_at: at });
}
