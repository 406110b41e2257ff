import type { Knex } from 'knex';
import { auditedTransaction, type Actor, type AuditInput } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { shanghaiDate } from '../../../shared/time';
import { InvalidState, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { reclaimPayment } from '../../funds';
import { proposalById, sourcesOf, sourcesOfPayments, type ProposalRow } from '../queries';
import { checkDecider, contractRow, faults, insertPayment, tellBothSides, type Deps } from './common';

/**
 * A correction (追回) approved: the decision only, inside approveProposal's transaction (the proposal
 * is already marked approved; a trigger keeps it within what is left of the release). No money
 * moves: the amount stays paid until the money has come back and its return is recorded
 * (recordReturn). The organization is told to return it; the proposer and managers that it was
 * approved. Returns the proposal's id.
 */
export async function approveReversal(
  trx: Knex.Transaction,
  p: ProposalRow,
  now: Date,
): Promise<{ result: number; audit: AuditInput }> {
  const c = await contractRow(trx, p.contract_id);
  const about = { subjectType: 'payment_proposal', subjectId: p.id };
  await tellBothSides(
    trx,
    p,
    c.number,
    about,
    {
      organization: {
        kind: 'payment.reversal_approved',
        messageKey: 'payments.notifications.toReturn',
        link: '/my/payments',
      },
      street: {
        kind: 'payment.approved',
        messageKey: 'payments.notifications.reversalApproved',
        link: `/payments/proposals/${p.id}`,
      },
    },
    now,
  );
  return {
    result: p.id,
    audit: {
      action: 'payment.approve_reversal',
      ...about,
      streetOfficeId: p.street_office_id,
      organizationId: p.organization_id,
      before: { status: 'proposed' },
      after: {
        status: 'approved',
        amount_fen: p.amount_fen,
        sources: sourcesOf(p),
        contract_id: p.contract_id,
        milestone_seq: p.milestone_seq,
        reverses_payment_id: p.reverses_payment_id,
      },
    },
  };
}

/**
 * The money of an approved correction has come back: an approver of the street (not its proposer)
 * records the reference and the Beijing date, and in this one transaction the reversal payment is
 * written (linked to the release), per source a `payment_reversal` (paid → committed) and a
 * `commitment_release` (committed → available) named by its payment_sources, the reference as its
 * voucher, the notifications and the audit event. Once per proposal (the payment's unique proposal
 * id). Returns the reversal payment's id.
 */
export async function recordReturn(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  proposalId: number,
  voucherRef: string,
  returnedOn: string,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const first = checkDecider(user, await proposalById(trx, proposalId));
    if (first.kind !== 'reversal' || first.status !== 'approved') throw new InvalidState('payments.errors.notToReturn');
    // The contract row first (FOR UPDATE on PostgreSQL), as every approval of the contract does.
    await trx('contracts').where({ id: first.contract_id }).forUpdate().first('id');
    const p = (await proposalById(trx, proposalId))!;
    if (await trx('payments').where({ proposal_id: p.id }).first('id'))
      throw new InvalidState('payments.errors.returnRecorded');
    if (returnedOn < shanghaiDate(new Date(p.decided_at!)))
      throw new ValidationFailed({ paidOn: 'payments.errors.returnedBeforeApproval' });
    if (returnedOn > shanghaiDate(now)) throw new ValidationFailed({ paidOn: 'payments.errors.paidInFuture' });

    let paymentId: number;
    try {
      paymentId = await insertPayment(trx, p, { id: p.decided_by! }, at);
    } catch (err) {
      if (err instanceof InvalidState && err.messageKey === 'payments.errors.alreadySettled')
        throw new InvalidState('payments.errors.returnRecorded');
      throw err;
    }
    if (faults.afterPaymentInsert) await faults.afterPaymentInsert();
    const released = (await sourcesOfPayments(trx, [p.reverses_payment_id!])).get(p.reverses_payment_id!) ?? [];
    for (const part of sourcesOf(p)) {
      const entry = released.find((r) => r.source === part.source);
      if (!entry) throw new Error(`reversal ${p.id}: source ${part.source} not in the release`);
      const moved = await reclaimPayment(trx, {
        paymentEntryId: entry.ledgerEntryId,
        amountFen: part.amountFen,
        userId: user.id,
        now,
        note: `reversal ${paymentId}`,
      });
      await trx('payment_sources').insert({
        payment_id: paymentId,
        source: part.source,
        amount_fen: part.amountFen,
        ledger_entry_id: moved.reversalEntryId,
        release_entry_id: moved.releaseEntryId,
      });
    }
    try {
      await trx('payment_vouchers').insert({
        payment_id: paymentId,
        voucher_ref: voucherRef,
        paid_on: returnedOn,
        recorded_by: user.id,
        recorded_at: at,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.returnRecorded');
      throw err;
    }
    if (faults.beforeAudit) await faults.beforeAudit();
    const c = await contractRow(trx, p.contract_id);
    const about = { subjectType: 'payment', subjectId: paymentId };
    const reversed = { kind: 'payment.reversed', messageKey: 'payments.notifications.reversed' };
    await tellBothSides(
      trx,
      p,
      c.number,
      about,
      { organization: { ...reversed, link: '/my/payments' }, street: { ...reversed, link: `/payments/${paymentId}` } },
      now,
    );
    return {
      result: paymentId,
      // The audit trail's sentence for a recorded reference ("登记了 … 的凭证"); the event carries
      // what the return wrote: the reversal payment, its amount per source, the release it corrects.
      audit: {
        action: 'payment.voucher',
        ...about,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: {
          voucher_ref: voucherRef,
          paid_on: returnedOn,
          kind: 'reversal',
          proposal_id: p.id,
          amount_fen: p.amount_fen,
          sources: sourcesOf(p),
          reverses_payment_id: p.reverses_payment_id,
        },
      },
    };
  });
}
