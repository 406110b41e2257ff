import type { Knex } from 'knex';
import { auditedTransaction, recordAudit, systemActor, type Actor } from '../../../audit/audit';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { tellSide } from './notices';
import { canManageContract } from '../policy';
import { releaseCommitment } from '../ports';
import { lockedContract, type Deps } from './common';

/**
 * The hook for the payments issue: call it in the transaction that settles a milestone. An active
 * contract whose every milestone is settled (paid or withheld) becomes completed, audited in that
 * same transaction. Returns whether it completed now.
 */
export async function completeIfSettled(
  trx: Knex.Transaction,
  contractId: number,
  now: Date,
  actor: Actor = systemActor,
): Promise<boolean> {
  const open = await trx('contract_milestones')
    .where({ contract_id: contractId })
    .whereNull('settlement')
    .count({ n: '*' })
    .first();
  const any = await trx('contract_milestones').where({ contract_id: contractId }).count({ n: '*' }).first();
  if (Number(open?.n ?? 0) > 0 || Number(any?.n ?? 0) === 0) return false;
  const at = now.toISOString();
  const n = await trx('contracts')
    .where({ id: contractId, status: 'active' })
    .update({ status: 'completed', completed_at: at, updated_at: at });
  if (n !== 1) return false;
  const c = await trx('contracts').where({ id: contractId }).first('street_office_id', 'organization_id');
  await recordAudit(
    trx,
    actor,
    {
      action: 'contract.complete',
      subjectType: 'contract',
      subjectId: contractId,
      streetOfficeId: Number(c.street_office_id),
      organizationId: Number(c.organization_id),
      before: { status: 'active' },
      after: { status: 'completed' },
    },
    now,
  );
  return true;
}

/**
 * The manager terminates an active contract with a reason: the unpaid committed money returns to
 * the fund as available (funds' releaseCommitment 'all_unpaid'), in this same transaction, and the
 * organization is notified.
 */
export async function terminateContract(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!canManageContract(user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    if (c.status !== 'active') throw new InvalidState('contracts.errors.notActive');
    const n = await trx('contracts').where({ id: contractId, status: 'active' }).update({
      status: 'terminated',
      terminated_at: at,
      terminated_by: user.id,
      termination_reason: reason,
      updated_at: at,
    });
    if (n !== 1) throw new InvalidState('contracts.errors.notActive');
    await releaseCommitment(trx, {
      awardItemId: c.award_item_id,
      contractId,
      amountFen: 'all_unpaid',
      userId: user.id,
      now,
    });
    await trx('contract_versions')
      .where({ contract_id: contractId, status: 'proposed' })
      .update({ status: 'rejected', decided_at: at, decision_comment: reason.slice(0, 2000) });
    await tellSide(
      trx,
      c,
      'organization',
      { kind: 'contract.terminated', messageKey: 'notifications.messages.contractTerminated' },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'contract.terminate',
        subjectType: 'contract',
        subjectId: contractId,
        streetOfficeId: c.street_office_id,
        organizationId: c.organization_id,
        before: { status: 'active' },
        after: { status: 'terminated', reason },
      },
    };
  });
}
