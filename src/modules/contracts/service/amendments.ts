import { auditedTransaction, type Actor } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { formatMoney, parseMoney } from '../../../shared/money';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { tellSide } from './notices';
import { canManageContract, isPartyB } from '../policy';
import { holdingsOf, increaseCommitment, increaseShortfall, releaseCommitment } from '../ports';
import { milestonesOf, termsOf, versionInForce, type ContractRow } from '../queries';
import { readTerms, type FormBody, type Problems, type Terms } from '../terms';
import { callWeightsOf } from './drafting';
import { lockedContract, milestoneRows, TermsProblems, versionColumns, type Deps } from './common';

export const AMENDMENT_ASPECTS = ['amount', 'period', 'milestones'] as const;
export type Aspect = (typeof AMENDMENT_ASPECTS)[number];

/** What an amendment changes, aspect by aspect. */
export function changedAspects(before: Terms, after: Terms): Aspect[] {
  const out: Aspect[] = [];
  if (before.amountFen !== after.amountFen) out.push('amount');
  if (before.periodStart !== after.periodStart || before.periodEnd !== after.periodEnd) out.push('period');
  if (
    JSON.stringify(before.milestones) !== JSON.stringify(after.milestones) ||
    before.servicePlan !== after.servicePlan
  )
    out.push('milestones');
  return out;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Paid (or approved) so far for the contract's award item: the floor of any new amount. */
async function paidFen(trx: import('knex').Knex.Transaction, awardItemId: number): Promise<number> {
  return (await holdingsOf(trx, awardItemId)).reduce((s, h) => s + h.paidFen, 0);
}

/**
 * The manager proposes an amendment (变更) of an active contract: a new amount, period or schedule,
 * each changed aspect with its reason. Never below what is already paid. The proposal waits for
 * the organization (one at a time: a partial unique index).
 */
export async function proposeAmendment(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  body: FormBody,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!canManageContract(user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    if (c.status !== 'active') throw new InvalidState('contracts.errors.notActive');
    const current = await versionInForce(trx, contractId);
    if (!current) throw new NotFound();
    const before = termsOf(current);
    const problems: Problems = {};
    const parsed = parseMoney(text(body.amount));
    let amountFen = before.amountFen;
    if (!parsed.ok) problems.amount = { key: `validation.money.${parsed.error}` };
    else if (parsed.fen <= 0) problems.amount = { key: 'contracts.errors.amountPositive' };
    else amountFen = parsed.fen;
    const paid = await paidFen(trx, c.award_item_id);
    if (parsed.ok && amountFen < paid)
      problems.amount = { key: 'contracts.errors.belowPaid', params: { paid: formatMoney(paid) } };
    const call = await trx('calls').where({ id: c.call_id }).first();
    const settled = (await milestonesOf(trx, contractId)).filter((r) => r.settlement !== null);
    // A paid advance is history: the cap applied when it was agreed, and it stays as it was.
    const advanceSettled = settled.some((m) => Boolean(m.advance));
    const read = readTerms(body, {
      amountFen,
      maxAdvancePercent: Number(call.max_advance_percent),
      callWeights: callWeightsOf(call),
      advanceSettled,
    });
    Object.assign(problems, read.problems);
    const after = read.terms;
    // A settled milestone is history: it stays as it was.
    for (const m of settled) {
      const same = after.milestones.find((x) => x.seq === Number(m.seq));
      if (!same || same.amountFen !== Number(m.amount_fen) || same.title !== m.title)
        problems.milestones = { key: 'contracts.errors.settledChanged', params: { seq: m.seq } };
    }
    const aspects = Object.keys(problems).length ? [] : changedAspects(before, after);
    if (!Object.keys(problems).length && !aspects.length) problems.amount = { key: 'contracts.errors.nothingChanged' };
    const reasons: Record<string, string> = {};
    for (const a of aspects) {
      const r = text(body[`reason_${a}`]);
      if (!r) problems[`reason_${a}`] = { key: 'contracts.errors.reasonRequired' };
      else if (r.length > 2000) problems[`reason_${a}`] = { key: 'validation.tooLong', params: { max: 2000 } };
      else reasons[a] = r;
    }
    // The fund must cover a raise now (per source, as increaseCommitment will split it); the
    // acceptance checks again, as the money may have gone meanwhile.
    if (!Object.keys(problems).length && after.amountFen > before.amountFen) {
      const short = await increaseShortfall(trx, c.award_item_id, after.amountFen - before.amountFen);
      if (short) problems.amount = { key: short.messageKey, params: short.params };
    }
    if (Object.keys(problems).length) throw new TermsProblems(problems);
    const last = await trx('contract_versions').where({ contract_id: contractId }).max({ v: 'version' }).first();
    const version = Number(last?.v ?? 0) + 1;
    const changes = aspects.map((a) =>
      a === 'amount'
        ? { aspect: a, before: before.amountFen, after: after.amountFen }
        : a === 'period'
          ? { aspect: a, before: [before.periodStart, before.periodEnd], after: [after.periodStart, after.periodEnd] }
          : { aspect: a, before: before.milestones.length, after: after.milestones.length },
    );
    const [inserted] = await trx('contract_versions')
      .insert({
        contract_id: contractId,
        version,
        status: 'proposed',
        ...versionColumns(after),
        sources_json: current.sources_json,
        reasons_json: JSON.stringify(reasons),
        changes_json: JSON.stringify(changes),
        proposed_by: user.id,
        proposed_at: at,
      })
      .returning('id')
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new InvalidState('contracts.errors.amendmentPending');
        throw err;
      });
    const versionId = Number(typeof inserted === 'object' ? inserted.id : inserted);
    await tellSide(
      trx,
      c,
      'organization',
      { kind: 'contract.amendment', messageKey: 'notifications.messages.contractAmendment' },
      now,
    );
    return {
      result: versionId,
      audit: amendAudit(c, 'contract.amend.propose', { version: current.version }, { version, changes, reasons }),
    };
  });
}

const amendAudit = (c: ContractRow, action: string, before: unknown, after: unknown) => ({
  action,
  subjectType: 'contract',
  subjectId: c.id,
  streetOfficeId: c.street_office_id,
  organizationId: c.organization_id,
  before,
  after,
});

/**
 * The organization accepts the proposed amendment: it becomes the current version, the one before
 * superseded, the unsettled milestones replaced; a higher amount commits the difference from the
 * fund (refused with source and shortfall when it cannot), a lower one returns it to available.
 */
export async function acceptAmendment(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  versionId: number,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!isPartyB(user, c)) throw new Forbidden('contracts.errors.notPartyB');
    const proposed = await trx('contract_versions').where({ id: versionId, contract_id: contractId }).first();
    if (!proposed) throw new NotFound();
    if (proposed.status !== 'proposed' || c.status !== 'active')
      throw new InvalidState('contracts.errors.amendmentDecided');
    const current = await versionInForce(trx, contractId);
    if (!current) throw new NotFound();
    const before = termsOf(current);
    const after = termsOf(proposed);
    const paid = await paidFen(trx, c.award_item_id);
    if (after.amountFen < paid) throw new InvalidState('contracts.errors.belowPaid', { paid: formatMoney(paid) });
    const diff = after.amountFen - before.amountFen;
    if (diff > 0)
      await increaseCommitment(trx, {
        awardItemId: c.award_item_id,
        contractId,
        amountFen: diff,
        userId: user.id,
        now,
      });
    if (diff < 0)
      await releaseCommitment(trx, {
        awardItemId: c.award_item_id,
        contractId,
        amountFen: -diff,
        userId: user.id,
        now,
      });
    // The one version in force is superseded before the new one takes its place (partial unique index).
    await trx('contract_versions').where({ id: current.id }).update({ status: 'superseded' });
    const n = await trx('contract_versions')
      .where({ id: versionId, status: 'proposed' })
      .update({ status: 'current', decided_by: user.id, decided_at: at });
    if (n !== 1) throw new InvalidState('contracts.errors.amendmentDecided');
    await trx('contract_milestones').where({ contract_id: contractId }).whereNull('settlement').delete();
    const settled = new Set((await milestonesOf(trx, contractId)).map((m) => Number(m.seq)));
    const fresh = after.milestones.filter((m) => !settled.has(m.seq));
    if (fresh.length) await trx('contract_milestones').insert(milestoneRows(contractId, fresh));
    // The money has moved: the new version's sources are what the item now holds (committed + paid), summing to its amount.
    const sources = (await holdingsOf(trx, c.award_item_id))
      .map((h) => ({ source: h.source, amountFen: h.committedFen + h.paidFen }))
      .filter((s) => s.amountFen > 0);
    await trx('contract_versions')
      .where({ id: versionId })
      .update({ sources_json: JSON.stringify(sources) });
    await trx('contracts')
      .where({ id: contractId })
      .update({ current_version: Number(proposed.version), updated_at: at });
    await tellSide(
      trx,
      c,
      'managers',
      { kind: 'contract.amended', messageKey: 'notifications.messages.contractAmended' },
      now,
    );
    return {
      result: undefined,
      audit: amendAudit(
        c,
        'contract.amend.accept',
        { version: current.version, amount_fen: before.amountFen },
        { version: Number(proposed.version), amount_fen: after.amountFen, committed_change_fen: diff },
      ),
    };
  });
}

/** The organization rejects the proposed amendment, with a comment; the version in force stays. */
export async function rejectAmendment(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  versionId: number,
  comment: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!isPartyB(user, c)) throw new Forbidden('contracts.errors.notPartyB');
    const proposed = await trx('contract_versions').where({ id: versionId, contract_id: contractId }).first();
    if (!proposed) throw new NotFound();
    const n = await trx('contract_versions')
      .where({ id: versionId, status: 'proposed' })
      .update({ status: 'rejected', decided_by: user.id, decided_at: now.toISOString(), decision_comment: comment });
    if (n !== 1) throw new InvalidState('contracts.errors.amendmentDecided');
    await tellSide(
      trx,
      c,
      'managers',
      { kind: 'contract.amend_rejected', messageKey: 'notifications.messages.contractAmendmentRejected' },
      now,
    );
    return {
      result: undefined,
      audit: amendAudit(
        c,
        'contract.amend.reject',
        { version: Number(proposed.version) },
        { status: 'rejected', comment },
      ),
    };
  });
}

/**
 * The manager withdraws a proposal the organization has not decided (e.g. one the fund can no
 * longer cover). Stored as `rejected` decided by the manager (the status CHECK knows no other
 * closed state); the audit event `contract.amend.withdraw` says who and why; the organization is told.
 */
export async function withdrawAmendment(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  versionId: number,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!canManageContract(user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    const proposed = await trx('contract_versions').where({ id: versionId, contract_id: contractId }).first();
    if (!proposed) throw new NotFound();
    const n = await trx('contract_versions')
      .where({ id: versionId, status: 'proposed' })
      .update({ status: 'rejected', decided_by: user.id, decided_at: now.toISOString(), decision_comment: null });
    if (n !== 1) throw new InvalidState('contracts.errors.amendmentDecided');
    await tellSide(
      trx,
      c,
      'organization',
      { kind: 'contract.amend_withdrawn', messageKey: 'notifications.messages.contractAmendmentWithdrawn' },
      now,
    );
    return {
      result: undefined,
      audit: amendAudit(
        c,
        'contract.amend.withdraw',
        { version: Number(proposed.version), status: 'proposed' },
        { status: 'withdrawn' },
      ),
    };
  });
}

/** An acceptance the fund could not cover: the manager is told (its own small transaction, after the refused one rolled back). */
export async function notifyAmendmentUncovered(
  deps: Deps,
  contractId: number,
  message: { source: string; shortfallMoney: string },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (trx) => {
    const c = await trx('contracts').where({ id: contractId }).first();
    if (!c) return;
    await tellSide(
      trx,
      c,
      'managers',
      {
        kind: 'contract.amend_uncovered',
        messageKey: 'notifications.messages.contractAmendmentUncovered',
        params: message,
      },
      now,
    );
  });
}
