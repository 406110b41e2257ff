import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { returnedId } from '../../../db/knex';
import { Forbidden, InvalidState, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import type { ContractMilestone } from '../../contracts';
import { closedEvaluation } from '../../evaluations';
import { holdingsOf, type SourceAmount } from '../../funds';
import { notify } from '../../notifications';
import { defaultSources, type Allowance } from '../amounts';
import { canPropose } from '../policy';
import { openSettlingProposal, releasedOnContract, settlingPayment } from '../queries';
import { amountInForce, approversOf, contractRow, lockedMilestone, type Deps } from './common';
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
