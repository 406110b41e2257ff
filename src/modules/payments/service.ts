import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import { returnedId } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { storeFile, withFileCleanup } from '../../files/storage';
import { splitByWeights } from '../../shared/split';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { completeIfSettled, lockContractMilestone, contractMilestone, type ContractMilestone } from '../contracts';
import { closedEvaluation } from '../evaluations';
import { holdingsOf, payFromCommitment, reclaimPayment, releaseCommitment, type SourceAmount } from '../funds';
import { managersOf, notify, staffOf } from '../notifications';
import { defaultSources, type Allowance } from './amounts';
import { canApprove, canPropose, canReadPayments, canUploadInvoice, isPayee, isProposer } from './policy';
import {
  numeric,
  openSettlingProposal,
  paymentById,
  proposalById,
  releasedOnContract,
  reversibleOf,
  settlingPayment,
  sourcesOf,
  sourcesOfPayments,
  type PaymentRow,
  type ProposalRow,
} from './queries';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** Hook for tests: runs between the payment insert and the ledger movement (fault injection). */
export const faults: { afterPaymentInsert?: () => Promise<void> | void; beforeAudit?: () => Promise<void> | void } = {};

async function approversOf(db: Knex | Knex.Transaction, streetOfficeId: number): Promise<number[]> {
  const rows: { id: number }[] = await db('users')
    .where({ street_office_id: streetOfficeId, role: 'approver' })
    .whereNull('disabled_at')
    .orderBy('id')
    .select('id');
  return rows.map((r) => Number(r.id));
}

/** A milestone as the payment step reads it, refusing what the user may not see (404). */
async function lockedMilestone(
  trx: Knex.Transaction,
  user: SessionUser,
  contractId: number,
  seq: number,
): Promise<ContractMilestone> {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m || !(canReadPayments(user, m) || isPayee(user, m))) throw new NotFound();
  return m;
}

/**
 * What the milestone may be paid now: the advance its share (no evaluation); an evaluated milestone
 * what its closed evaluation's consequence says (full share, the partial rule's amount, or nothing).
 * Refused while there is no closed evaluation, or while a review (复核) of it is open.
 */
export async function allowanceOf(
  db: Knex | Knex.Transaction,
  m: ContractMilestone,
): Promise<Allowance & { evaluationId: number | null }> {
  const base = { shareFen: m.amount_fen, passScore: m.pass_score, floorScore: m.floor_score };
  if (m.advance)
    return { ...base, kind: 'advance', allowedFen: m.amount_fen, score: null, grade: null, evaluationId: null };
  const e = await closedEvaluation(db, m.milestone_id);
  if (!e) throw new InvalidState('payments.errors.notEvaluated');
  if (e.reviewOpen) throw new InvalidState('payments.errors.reviewOpen');
  const row = await db('milestone_evaluations').where({ contract_id: m.contract_id, milestone_seq: m.seq }).first('id');
  return {
    ...base,
    passScore: e.passScore,
    floorScore: e.floorScore,
    kind: e.consequence.kind,
    allowedFen: e.consequence.payableFen,
    score: e.score,
    grade: e.grade,
    evaluationId: row ? Number(row.id) : null,
  };
}

/** The default sources of a milestone's payment of `amountFen` (see amounts.ts). */
export async function proposedSources(
  db: Knex | Knex.Transaction,
  m: ContractMilestone,
  awardItemId: number,
  amountFen: number,
): Promise<SourceAmount[]> {
  const shares = await db('contract_milestones')
    .where({ contract_id: m.contract_id })
    .orderBy('seq')
    .select('id', 'amount_fen');
  return defaultSources({
    amountFen,
    milestoneShares: shares.map((s: { id: number; amount_fen: number }) => ({
      milestoneId: Number(s.id),
      amountFen: Number(s.amount_fen),
    })),
    milestoneId: m.milestone_id,
    holdings: await holdingsOf(db, awardItemId),
  });
}

async function contractRow(db: Knex | Knex.Transaction, contractId: number) {
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

export interface ProposalInput {
  /** Fen; undefined for a withheld milestone (nothing is paid). */
  amountFen?: number;
  reason?: string | null;
  /** Undefined: the contract's split (default). */
  sources?: SourceAmount[];
}

/**
 * The manager proposes to settle a milestone: its payment (at most what the evaluation allows; less
 * only with a reason), or, when the evaluation withholds it, the withheld settlement (nothing paid;
 * the score and pass score are the reason). The organization's invoice or receipt must be there for
 * a payment; the sources must add up to the amount and each be held by the contract.
 */
export async function proposePayment(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  input: ProposalInput,
): Promise<number> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await lockedMilestone(trx, user, contractId, seq);
    if (!canPropose(user, m)) throw new Forbidden('payments.errors.notManager');
    if (m.contract_status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
    if (m.settlement || (await settlingPayment(trx, m.contract_id, m.seq)))
      throw new InvalidState('payments.errors.alreadySettled');
    if (await openSettlingProposal(trx, m.contract_id, m.seq))
      throw new InvalidState('payments.errors.alreadyProposed');
    const allowance = await allowanceOf(trx, m);
    const c = await contractRow(trx, contractId);
    const withheld = allowance.kind === 'withheld';
    let amountFen = 0;
    let sources: SourceAmount[] = [];
    let reason = input.reason?.trim() || null;
    let invoiceId: number | null = null;
    if (withheld) {
      // The score and pass score are the reason; the manager's words follow.
      const basis = `评估得分 ${((allowance.score ?? 0) / 100).toFixed(2)} 低于合格分 ${allowance.passScore}`;
      reason = reason ? `${basis}；${reason}` : basis;
    } else {
      amountFen = input.amountFen ?? allowance.allowedFen;
      if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
        throw new ValidationFailed({ amount: 'payments.errors.amountPositive' });
      if (amountFen > allowance.allowedFen)
        throw new ValidationFailed({ amount: 'payments.errors.amountAboveAllowed' });
      if (amountFen < allowance.allowedFen && !reason)
        throw new ValidationFailed({ reason: 'payments.errors.reasonWhenLess' });
      const contractAmount = await amountInForce(trx, contractId);
      if ((await releasedOnContract(trx, contractId)) + amountFen > contractAmount)
        throw new ValidationFailed({ amount: 'payments.errors.aboveContract' });
      const holdings = await holdingsOf(trx, c.award_item_id);
      if (input.sources) {
        sources = input.sources.filter((s) => s.amountFen > 0);
        if (sources.reduce((s, x) => s + x.amountFen, 0) !== amountFen)
          throw new ValidationFailed({ sources: 'payments.errors.sourcesSum' });
        for (const s of sources) {
          const held = holdings.find((h) => h.source === s.source)?.committedFen ?? 0;
          if (s.amountFen > held) throw new ValidationFailed({ [`source_${s.source}`]: 'payments.errors.sourceShort' });
        }
      } else {
        sources = await proposedSources(trx, m, c.award_item_id, amountFen);
        if (sources.reduce((s, x) => s + x.amountFen, 0) !== amountFen)
          throw new ValidationFailed({ amount: 'payments.errors.notCommitted' });
      }
      const invoice = await trx('payment_invoices')
        .where({ contract_id: contractId, milestone_seq: m.seq })
        .orderBy('id', 'desc')
        .first('id');
      if (!invoice) throw new InvalidState('payments.errors.noInvoice');
      invoiceId = Number(invoice.id);
    }
    let id: number;
    try {
      const [inserted] = await trx('payment_proposals')
        .insert({
          kind: withheld ? 'withheld' : 'release',
          contract_id: contractId,
          milestone_id: m.milestone_id,
          milestone_seq: m.seq,
          street_office_id: m.street_office_id,
          organization_id: m.organization_id,
          amount_fen: amountFen,
          allowed_fen: allowance.allowedFen,
          sources_json: JSON.stringify(sources),
          evaluation_id: allowance.evaluationId,
          score: allowance.score,
          grade: allowance.grade,
          basis_json: JSON.stringify(allowance),
          reason,
          invoice_id: invoiceId,
          status: 'proposed',
          proposed_by: user.id,
          proposed_at: now.toISOString(),
        })
        .returning('id');
      id = returnedId(inserted);
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadyProposed');
      throw err;
    }
    await notify(
      trx,
      await approversOf(trx, m.street_office_id),
      {
        kind: 'payment.proposed',
        messageKey: 'payments.notifications.proposed',
        params: { number: m.contract_number, milestone: m.title },
        link: `/payments/proposals/${id}`,
        subjectType: 'payment_proposal',
        subjectId: id,
      },
      now,
    );
    return {
      result: id,
      audit: {
        action: withheld ? 'payment.propose_withheld' : 'payment.propose',
        subjectType: 'payment_proposal',
        subjectId: id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        after: {
          contract_id: contractId,
          milestone_seq: m.seq,
          amount_fen: amountFen,
          allowed_fen: allowance.allowedFen,
          allowance: allowance.kind,
          score: allowance.score,
          sources,
          reason,
          invoice_id: invoiceId,
        },
      },
    };
  });
}

async function amountInForce(db: Knex | Knex.Transaction, contractId: number): Promise<number> {
  const v = await db('contract_versions').where({ contract_id: contractId, status: 'current' }).first('amount_fen');
  return Number(v?.amount_fen ?? 0);
}

/**
 * The manager proposes a correction (追回) of a release: all or part of what is left of it, with a
 * reason. Split over the release's sources in proportion (largest remainder). A release is
 * corrected once (the ledger undoes each payment entry once).
 */
export async function proposeReversal(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  amountFen: number,
  reason: string,
): Promise<number> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canPropose(user, p)) throw new Forbidden('payments.errors.notManager');
    if (p.kind !== 'release') throw new InvalidState('payments.errors.notRelease');
    await trx('contracts').where({ id: p.contract_id }).forUpdate().first('id');
    if (await trx('payments').where({ reverses_payment_id: p.id }).first('id'))
      throw new InvalidState('payments.errors.alreadyReversed');
    const left = await reversibleOf(trx, p);
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
      throw new ValidationFailed({ amount: 'payments.errors.amountPositive' });
    if (amountFen > left) throw new ValidationFailed({ amount: 'payments.errors.aboveReversible' });
    const sources = reversalSources((await sourcesOfPayments(trx, [p.id])).get(p.id) ?? [], amountFen);
    let id: number;
    try {
      const [inserted] = await trx('payment_proposals')
        .insert({
          kind: 'reversal',
          contract_id: p.contract_id,
          milestone_id: p.milestone_id,
          milestone_seq: p.milestone_seq,
          street_office_id: p.street_office_id,
          organization_id: p.organization_id,
          amount_fen: amountFen,
          allowed_fen: left,
          sources_json: JSON.stringify(sources),
          basis_json: JSON.stringify({ kind: 'reversal', releaseFen: p.amount_fen, leftFen: left }),
          reason,
          reverses_payment_id: p.id,
          status: 'proposed',
          proposed_by: user.id,
          proposed_at: now.toISOString(),
        })
        .returning('id');
      id = returnedId(inserted);
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadyProposed');
      throw err;
    }
    const number = (await contractRow(trx, p.contract_id)).number;
    await notify(
      trx,
      await approversOf(trx, p.street_office_id),
      {
        kind: 'payment.reversal_proposed',
        messageKey: 'payments.notifications.reversalProposed',
        params: { number },
        link: `/payments/proposals/${id}`,
        subjectType: 'payment_proposal',
        subjectId: id,
      },
      now,
    );
    return {
      result: id,
      audit: {
        action: 'payment.propose_reversal',
        subjectType: 'payment_proposal',
        subjectId: id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { payment_id: p.id, amount_fen: amountFen, sources, reason },
      },
    };
  });
}

/** A reversal of `amountFen` over the release's sources, in proportion, fen-exact. */
export function reversalSources(
  released: { source: SourceAmount['source']; amountFen: number }[],
  amountFen: number,
): SourceAmount[] {
  const parts = splitByWeights(
    amountFen,
    released.map((s) => s.amountFen),
  );
  return released.map((s, i) => ({ source: s.source, amountFen: parts[i] })).filter((s) => s.amountFen > 0);
}

/** Loads a proposal for a decision, refusing what the user may not see or do. */
function checkDecider(user: SessionUser, p: ProposalRow | undefined): ProposalRow {
  if (!p || !canReadPayments(user, p)) throw new NotFound();
  if (!canApprove(user, p)) throw new Forbidden('payments.errors.notApprover');
  if (isProposer(user, p)) throw new Forbidden('payments.errors.fourEyes');
  return p;
}

/** Marks the proposal decided, from 'proposed' only (row count checked). */
async function decide(
  trx: Knex.Transaction,
  p: ProposalRow,
  user: SessionUser,
  status: 'approved' | 'rejected',
  now: Date,
  reason: string | null,
): Promise<void> {
  const n = await trx('payment_proposals')
    .where({ id: p.id, status: 'proposed' })
    .update({ status, decided_by: user.id, decided_at: now.toISOString(), decision_reason: reason });
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
 * commitment returns to available), the organization is notified and the audit event written. A
 * reversal instead moves the amounts back from paid to available, linked to the release. Returns
 * the payment's id.
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
    if (m.contract_status !== 'active' && p.kind !== 'reversal')
      throw new InvalidState('payments.errors.contractNotActive');
    const c = await contractRow(trx, p.contract_id);
    const events: { action: string; after: Record<string, unknown> }[] = [];

    if (p.kind !== 'reversal') {
      // An amendment replaced the milestone's row (its share or terms may differ): propose again.
      if (m.milestone_id !== p.milestone_id) throw new InvalidState('payments.errors.allowanceChanged');
      if (m.settlement || (await settlingPayment(trx, m.contract_id, m.seq)))
        throw new InvalidState('payments.errors.alreadySettled');
      const allowance = await allowanceOf(trx, m);
      if (p.kind === 'release' && p.amount_fen > allowance.allowedFen)
        throw new InvalidState('payments.errors.allowanceChanged');
      if (p.kind === 'withheld' && allowance.kind !== 'withheld')
        throw new InvalidState('payments.errors.allowanceChanged');
    }
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
    } else if (p.kind === 'reversal') {
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
    }

    if (p.kind !== 'reversal') {
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
    }
    if (faults.beforeAudit) await faults.beforeAudit();
    const kindKey = p.kind === 'release' ? 'released' : p.kind === 'withheld' ? 'withheld' : 'reversed';
    await notify(
      trx,
      await staffOf(trx, [p.organization_id]),
      {
        kind: `payment.${kindKey}`,
        messageKey: `payments.notifications.${kindKey}`,
        params: { number: c.number, seq: p.milestone_seq },
        link: '/my/payments',
        subjectType: 'payment',
        subjectId: paymentId,
      },
      now,
    );
    await notify(
      trx,
      [p.proposed_by, ...(await managersOf(trx, p.street_office_id))],
      {
        kind: 'payment.approved',
        messageKey: 'payments.notifications.approved',
        params: { number: c.number, seq: p.milestone_seq },
        link: `/payments/${paymentId}`,
        subjectType: 'payment',
        subjectId: paymentId,
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
          action:
            p.kind === 'reversal'
              ? 'payment.approve_reversal'
              : p.kind === 'withheld'
                ? 'payment.approve_withheld'
                : 'payment.approve',
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

async function insertPayment(trx: Knex.Transaction, p: ProposalRow, user: SessionUser, at: string): Promise<number> {
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

/** The voucher number (支付凭证号) and date the money left (or came back), once, by an approver. */
export async function recordVoucher(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  voucherRef: string,
  paidOn: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canApprove(user, p)) throw new Forbidden('payments.errors.notApprover');
    if (p.kind === 'withheld') throw new InvalidState('payments.errors.nothingPaid');
    if (paidOn < shanghaiDate(new Date(p.approved_at)))
      throw new ValidationFailed({ paidOn: 'payments.errors.paidBeforeApproval' });
    if (paidOn > shanghaiDate(now)) throw new ValidationFailed({ paidOn: 'payments.errors.paidInFuture' });
    try {
      await trx('payment_vouchers').insert({
        payment_id: p.id,
        voucher_ref: voucherRef,
        paid_on: paidOn,
        recorded_by: user.id,
        recorded_at: now.toISOString(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.voucherRecorded');
      throw err;
    }
    return {
      result: undefined,
      audit: {
        action: 'payment.voucher',
        subjectType: 'payment',
        subjectId: p.id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { voucher_ref: voucherRef, paid_on: paidOn },
      },
    };
  });
}

const shanghaiDate = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * After a withheld milestone the manager decides, with a reason, whether the contract goes on or is
 * terminated. The decision is recorded (once per withheld payment); a termination is then carried
 * out by the contracts module (its unpaid commitment returns to the fund), in its own transaction.
 */
export async function recordWithheldDecision(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  decision: 'continue' | 'terminate',
  reason: string,
): Promise<PaymentRow> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canPropose(user, p)) throw new Forbidden('payments.errors.notManager');
    if (p.kind !== 'withheld') throw new InvalidState('payments.errors.notWithheld');
    const c = await trx('contracts').where({ id: p.contract_id }).forUpdate().first('status');
    if (c.status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
    try {
      await trx('payment_withheld_decisions').insert({
        payment_id: p.id,
        contract_id: p.contract_id,
        decision,
        reason,
        decided_by: user.id,
        decided_at: now.toISOString(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadyDecidedWithheld');
      throw err;
    }
    return {
      result: p,
      audit: {
        action: 'payment.withheld_decision',
        subjectType: 'payment',
        subjectId: p.id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { decision, reason },
      },
    };
  });
}

/** The organization uploads its invoice or receipt (发票/收据) for a milestone, before the proposal. */
export async function uploadInvoice(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  file: Express.Multer.File,
  kind: 'invoice' | 'receipt',
  amountFen: number,
): Promise<number> {
  const now = deps.clock.now();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const m = await lockedMilestone(trx, user, contractId, seq);
      if (!canUploadInvoice(user, m)) throw new Forbidden('payments.errors.notPayee');
      if (m.contract_status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
      if (m.settlement) throw new InvalidState('payments.errors.alreadySettled');
      if (amountFen > m.amount_fen) throw new ValidationFailed({ amount: 'payments.errors.invoiceAboveShare' });
      const stored = await storeFile(trx, deps.config.uploadDir, file, 'file', user.id, now);
      written.push(stored.storage_key);
      const [inserted] = await trx('payment_invoices')
        .insert({
          contract_id: contractId,
          milestone_seq: m.seq,
          file_id: stored.id,
          kind,
          amount_fen: amountFen,
          uploaded_by: user.id,
          uploaded_at: now.toISOString(),
        })
        .returning('id');
      const id = returnedId(inserted);
      return {
        result: id,
        audit: {
          action: 'payment.invoice_upload',
          subjectType: 'payment_invoice',
          subjectId: id,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          after: { contract_id: contractId, milestone_seq: seq, kind, amount_fen: amountFen, sha256: stored.sha256 },
        },
      };
    }),
  );
}

export { contractMilestone, numeric };
