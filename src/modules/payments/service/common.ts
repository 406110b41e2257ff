import type { Knex } from 'knex';
import type { AppDeps } from '../../../deps';
import { NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../../contracts';
import { canReadPayments, isPayee } from '../policy';

/** What the payment steps need of the app. */
export type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** Hook for tests: runs between the payment insert and the ledger movement (fault injection). */
export const faults: { afterPaymentInsert?: () => Promise<void> | void; beforeAudit?: () => Promise<void> | void } = {};

export async function approversOf(db: Knex | Knex.Transaction, streetOfficeId: number): Promise<number[]> {
  const rows: { id: number }[] = await db('users')
    .where({ street_office_id: streetOfficeId, role: 'approver' })
    .whereNull('disabled_at')
    .orderBy('id')
    .select('id');
  return rows.map((r) => Number(r.id));
}
/** A milestone as the payment step reads it, refusing what the user may not see (404). */
export async function lockedMilestone(
  trx: Knex.Transaction,
  user: SessionUser,
  contractId: number,
  seq: number,
): Promise<ContractMilestone> {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m || !(canReadPayments(user, m) || isPayee(user, m))) throw new NotFound();
  return m;
}

export async function contractRow(db: Knex | Knex.Transaction, contractId: number) {
  const c = await db('contracts')
    .where({ id: contractId })
    .first('id', 'award_item_id', 'status', 'number', 'street_office_id', 'organization_id');
  return {
    ...c,
    id: Number(c.id),
    award_item_id: Number(c.award_item_id),
    street_office_id: Number(c.street_office_id),
    organization_id: Number(c.organization_id),
  };
}

export async function amountInForce(db: Knex | Knex.Transaction, contractId: number): Promise<number> {
  const v = await db('contract_versions').where({ contract_id: contractId, status: 'current' }).first('amount_fen');
  return Number(v?.amount_fen ?? 0);
}
