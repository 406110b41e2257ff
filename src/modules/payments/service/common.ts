import type { Knex } from 'knex';
import type { AppDeps } from '../../../deps';
import { isUniqueViolation } from '../../../db/errors';
import { returnedId } from '../../../db/knex';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../../contracts';
import { canApprove, canReadPayments, isPayee, isProposer } from '../policy';
import type { ProposalRow } from '../queries';
import { managersOf, notify, staffOf } from '../../notifications';

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

/** Loads a proposal for a decision, refusing what the user may not see or do. */
export function checkDecider(user: SessionUser, p: ProposalRow | undefined): ProposalRow {
  if (!p || !canReadPayments(user, p)) throw new NotFound();
  if (!canApprove(user, p)) throw new Forbidden('payments.errors.notApprover');
  if (isProposer(user, p)) throw new Forbidden('payments.errors.fourEyes');
  return p;
}
/** The payment row of a proposal, approved by `user` (for a reversal, the proposal's decider). */
export async function insertPayment(
  trx: Knex.Transaction,
  p: ProposalRow,
  user: Pick<SessionUser, 'id'>,
  at: string,
): Promise<number> {
  try {
    const [inserted] = await trx('payments')
      .insert({
        kind: p.kind,
        proposal_id: p.id,
        contract_id: p.contract_id,
        milestone_id: p.milestone_id,
        milestone_seq: p.milestone_seq,
        street_office_id: p.street_office_id,
        organization_id: p.organization_id,
        amount_fen: p.amount_fen,
        reverses_payment_id: p.reverses_payment_id,
        proposed_by: p.proposed_by,
        proposed_at: p.proposed_at,
        approved_by: user.id,
        approved_at: at,
      })
      .returning('id');
    return returnedId(inserted);
  } catch (err) {
    if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadySettled');
    const message = (err as Error).message ?? '';
    if (/exceed/.test(message)) throw new InvalidState('payments.errors.aboveContract');
    throw err;
  }
}

/** One side's notice of a payment step: what happened and where to look. */
interface Notice {
  kind: string;
  messageKey: string;
  link: string;
}

/**
 * The two notices every decided payment step sends, in its transaction: one to the organization's
 * staff, one to the proposer and the street's managers, about the same record and with the same
 * contract number and milestone.
 */
export async function tellBothSides(
  trx: Knex.Transaction,
  p: ProposalRow,
  contractNumber: string,
  about: { subjectType: string; subjectId: number },
  notices: { organization: Notice; street: Notice },
  now: Date,
): Promise<void> {
  const params = { number: contractNumber, seq: p.milestone_seq };
  await notify(trx, await staffOf(trx, [p.organization_id]), { ...notices.organization, params, ...about }, now);
  await notify(
    trx,
    [p.proposed_by, ...(await managersOf(trx, p.street_office_id))],
    { ...notices.street, params, ...about },
    now,
  );
}
