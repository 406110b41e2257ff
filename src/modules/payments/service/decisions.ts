import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../../audit/audit';
import { InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { completeIfSettled, lockContractMilestone } from '../../contracts';
import { payFromCommitment, releaseCommitment } from '../../funds';
import { notify } from '../../notifications';
import { proposalById, settlingPayment, sourcesOf, type ProposalRow } from '../queries';
import { checkDecider, contractRow, faults, insertPayment, tellBothSides, type Deps } from './common';
import { allowanceOf } from './proposals';
import { approveReversal } from './returns';
/** Marks the proposal decided, from 'proposed' only (row count checked). */
async function decide(
  trx: Knex.Transaction,
  p: ProposalRow,
  user: SessionUser,
  status: 'approved' | 'rejected',
  now: Date,
  reason: string | null,
): Promise<void> {
  let n: number;
  try {
    n = await trx('payment_proposals')
      .where({ id: p.id, status: 'proposed' })
      .update({ status, decided_by: user.id, decided_at: now.toISOString(), decision_reason: reason });
  } catch (err) {
    // The database's line for a correction (migration 20261204100000): never past what is left.
    if (/exceeds what is left/.test((err as Error).message ?? ''))
      throw new InvalidState('payments.errors.aboveReversible');
    throw err;
  }
  if (n !== 1) throw new InvalidState('payments.errors.alreadyDecided');
}

export async function rejectProposal(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  proposalId: number,
  reason: string,
): Promise<number> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = checkDecider(user, await proposalById(trx, proposalId));
    await decide(trx, p, user, 'rejected', now, reason);
    await notify(
      trx,
      [p.proposed_by],
      {
        kind: 'payment.rejected',
        messageKey: 'payments.notifications.rejected',
        params: { id: p.id },
        link: `/payments/proposals/${p.id}`,
        subjectType: 'payment_proposal',
        subjectId: p.id,
      },
      now,
    );
    return {
      result: p.id,
      audit: {
        action: 'payment.reject',
        subjectType: 'payment_proposal',
        subjectId: p.id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        before: { status: 'proposed' },
        after: { status: 'rejected', reason },
      },
    };
  });
}
/**
 * The second officer approves: in this one transaction the proposal is decided, the payment row is
 * written, the ledger moves each source's amount from committed to paid (payFromCommitment), the
 * milestone is settled, the contract completes when its last milestone is settled (its unspent
 * commitment returns to available), the organization is notified and the audit event written.
 * Returns the payment's id. A reversal (追回) is only decided here: no money moves until its return
 * is recorded (`recordReturn`); for it the proposal's id is returned.
 */
export async function approveProposal(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  proposalId: number,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const first = checkDecider(user, await proposalById(trx, proposalId));
    // The contract row first (FOR UPDATE on PostgreSQL): approvals, proposals and amendments of one
    // contract queue up here, so the checks below see every payment committed before.
    const m = await lockContractMilestone(trx, first.contract_id, first.milestone_seq);
    if (!m) throw new NotFound();
    const p = (await proposalById(trx, proposalId))!;
    await decide(trx, p, user, 'approved', now, null);
    if (p.kind === 'reversal') return approveReversal(trx, p, now);
    if (m.contract_status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
    const c = await contractRow(trx, p.contract_id);
    const events: { action: string; after: Record<string, unknown> }[] = [];

    // An amendment replaced the milestone's row (its share or terms may differ): propose again.
    if (m.milestone_id !== p.milestone_id) throw new InvalidState('payments.errors.allowanceChanged');
    if (m.settlement || (await settlingPayment(trx, m.contract_id, m.seq)))
      throw new InvalidState('payments.errors.alreadySettled');
    const allowance = await allowanceOf(trx, m);
    if (p.kind === 'release' && p.amount_fen > allowance.allowedFen)
      throw new InvalidState('payments.errors.allowanceChanged');
    if (p.kind === 'withheld' && allowance.kind !== 'withheld')
      throw new InvalidState('payments.errors.allowanceChanged');
    const paymentId = await insertPayment(trx, p, user, at);
    if (faults.afterPaymentInsert) await faults.afterPaymentInsert();

    if (p.kind === 'release') {
      const entries = await payFromCommitment(trx, {
        awardItemId: c.award_item_id,
        contractId: c.id,
        amounts: sourcesOf(p),
        userId: user.id,
        now,
        paymentNote: `payment ${paymentId}`,
      });
      if (entries.reduce((s, e) => s + e.amountFen, 0) !== p.amount_fen)
        throw new Error(`payment ${paymentId}: sources do not add up to the amount`);
      await trx('payment_sources').insert(
        entries.map((e) => ({
          payment_id: paymentId,
          source: e.source,
          amount_fen: e.amountFen,
          ledger_entry_id: e.entryId,
          release_entry_id: null,
        })),
      );
    }

    const settlement = p.kind === 'withheld' ? 'withheld' : p.amount_fen === m.amount_fen ? 'paid' : 'partial';
    const n = await trx('contract_milestones')
      .where({ id: m.milestone_id })
      .whereNull('settlement')
      .update({ settlement, settled_at: at });
    if (n !== 1) throw new InvalidState('payments.errors.alreadySettled');
    if (await completeIfSettled(trx, c.id, now, actor)) {
      const returned = await releaseCommitment(trx, {
        awardItemId: c.award_item_id,
        contractId: c.id,
        amountFen: 'all_unpaid',
        userId: user.id,
        now,
        note: `contract ${c.number} completed`,
      });
      events.push({ action: 'payment.commitment_returned', after: { contract_id: c.id, returned } });
    }
    if (faults.beforeAudit) await faults.beforeAudit();
    const kindKey = p.kind === 'release' ? 'released' : 'withheld';
    await tellBothSides(
      trx,
      p,
      c.number,
      { subjectType: 'payment', subjectId: paymentId },
      {
        organization: {
          kind: `payment.${kindKey}`,
          messageKey: `payments.notifications.${kindKey}`,
          link: '/my/payments',
        },
        street: {
          kind: 'payment.approved',
          messageKey: 'payments.notifications.approved',
          link: `/payments/${paymentId}`,
        },
      },
      now,
    );
    const scope = {
      subjectType: 'payment',
      subjectId: paymentId,
      streetOfficeId: p.street_office_id,
      organizationId: p.organization_id,
    };
    return {
      result: paymentId,
      audit: [
        {
          action: p.kind === 'withheld' ? 'payment.approve_withheld' : 'payment.approve',
          ...scope,
          before: { proposal_id: p.id, status: 'proposed' },
          after: {
            status: 'approved',
            kind: p.kind,
            amount_fen: p.amount_fen,
            sources: sourcesOf(p),
            contract_id: p.contract_id,
            milestone_seq: p.milestone_seq,
            reverses_payment_id: p.reverses_payment_id,
          },
        },
        ...events.map((e) => ({ ...scope, ...e })),
      ],
    };
  });
}
