import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor, type AuditInput } from '../../audit/audit';
import { returnedId, type Tx } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { discardFile, storeFile } from '../../files/storage';
import { formatDateTime } from '../../shared/time';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { callSources, findCallRow, moveCall, type CallRow } from '../calls';
import { moveAward, moveObjection } from './lifecycle';
import { commitAwardItems, releaseCallReservation } from '../funds';
import { managersOf, notify, staffOf } from '../notifications';
import { canManageAward, objectionRefusal } from './policy';
import { readProposal } from './proposal';
import { awardRanking, lockAward, openObjectionCount, type AwardRow } from './queries';
import { formatHundredths, rankBids, scoringClosed, submittedBidderIds } from './ranking';
import { splitByShares, splitMatrix } from '../../shared/split';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;
export type ReviewedCall = CallRow & { scoring_closed_at: string | null; scoring_closed_by: number | null };

const DAY_MS = 24 * 60 * 60 * 1000;

/** A proposal refused for its content: field -> i18n key and values; the form is shown again with 422. */
export class ProposalProblems extends ValidationFailed {}

async function lockCall(trx: Tx, id: number): Promise<ReviewedCall> {
  const call = (await findCallRow(trx, id, true)) as ReviewedCall | undefined;
  if (!call) throw new NotFound();
  return call;
}

async function lockedAward(trx: Tx, id: number): Promise<AwardRow> {
  const award = await lockAward(trx, id, true);
  if (!award) throw new NotFound();
  return award;
}

/** Why the call cannot take a proposal now (409), or null. */
export function proposalRefusal(call: ReviewedCall): string | null {
  if (call.status !== 'under_review') return 'awards.errors.notUnderReview';
  if (!scoringClosed(call)) return 'awards.errors.scoringOpen';
  return null;
}

/**
 * The manager proposes the award of a call whose scoring is closed (under_review -> publicity): the
 * chosen bids with their amounts, the written reasons for skipped higher-ranked bids, and the
 * ranking as it stands (the published scores summary). The publicity period starts now. Two
 * proposals racing: the call row is locked on PostgreSQL, its status is changed conditionally, and
 * the partial unique index awards_one_standing_per_call has the last word.
 */
export async function proposeAward(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  body: unknown,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const work = auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    const refusal = proposalRefusal(call);
    if (refusal) throw new InvalidState(refusal);
    const ranking = await rankBids(trx, callId);
    const { proposal, problems } = readProposal(
      body,
      {
        method: call.method,
        budget_fen: Number(call.budget_fen),
        per_project_cap_fen: call.per_project_cap_fen === null ? null : Number(call.per_project_cap_fen),
      },
      ranking,
    );
    if (Object.keys(problems).length) throw new ProposalProblems(problems);

    const publicityEndsAt = new Date(now.getTime() + Number(call.publicity_days) * DAY_MS).toISOString();
    const [inserted] = await trx('awards')
      .insert({
        call_id: callId,
        status: 'proposed',
        proposed_by: user.id,
        proposed_at: at,
        publicity_ends_at: publicityEndsAt,
      })
      .returning('id');
    const awardId = returnedId(inserted);
    await trx('award_items').insert(
      proposal.items.map((i) => ({ award_id: awardId, bid_id: i.bidId, rank: i.rank, amount_fen: i.amountFen })),
    );
    if (proposal.skips.length)
      await trx('award_skips').insert(
        proposal.skips.map((s) => ({ award_id: awardId, bid_id: s.bidId, reason: s.reason })),
      );
    if (ranking.length) {
      await trx('award_rankings').insert(
        ranking.map((r) => ({
          award_id: awardId,
          bid_id: r.bidId,
          organization_id: r.organizationId,
          price_fen: r.priceFen,
          sheets: r.sheets,
          score_hundredths: r.scoreHundredths,
          rank: r.rank,
          decided_by: r.decidedBy,
        })),
      );
    }
    await moveCall(trx, callId, 'proposeAward', {
      set: { updated_at: at },
      where: (q) => q.whereNotNull('scoring_closed_at'),
      errorKey: 'awards.errors.notUnderReview',
    });

    const bidders = await staffOf(trx, await submittedBidderIds(trx, callId));
    await notify(
      trx,
      bidders,
      {
        kind: 'award.proposed',
        messageKey: 'notifications.messages.awardProposed',
        params: { call: call.title },
        link: `/awards/${awardId}`,
        subjectType: 'award',
        subjectId: awardId,
      },
      now,
    );
    return {
      result: awardId,
      audit: {
        action: 'award.propose',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        before: { call_status: call.status },
        after: {
          call_id: callId,
          call_status: 'publicity',
          publicity_ends_at: publicityEndsAt,
          items: proposal.items.map((i) => ({ bid: i.bidRef, rank: i.rank, amountFen: i.amountFen })),
          skips: proposal.skips.map((k) => ({ bid: k.bidRef, reason: k.reason })),
        },
      },
    };
  });
  return work.catch((err) => {
    if (isUniqueViolation(err)) throw new InvalidState('awards.errors.alreadyProposed');
    throw err;
  });
}

export interface ObjectionInput {
  reasons: string;
}

/**
 * A bidder's staff lodge an objection (质疑) during the publicity period, with attachments. The
 * award row is locked, so an objection and the confirmation cannot cross; the clock decides the end.
 */
export async function lodgeObjection(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  awardId: number,
  input: ObjectionInput,
  files: Express.Multer.File[],
): Promise<number> {
  const now = deps.clock.now();
  const written: string[] = [];
  try {
    return await auditedTransaction(deps.db, actor, now, async (trx) => {
      const award = await lockedAward(trx, awardId);
      const call = await lockCall(trx, award.call_id);
      const refusal = objectionRefusal(user, award, await submittedBidderIds(trx, call.id), now);
      if (refusal) {
        const params = { at: formatDateTime(award.publicity_ends_at) };
        throw refusal.status === 403 ? new Forbidden(refusal.key, params) : new InvalidState(refusal.key, params);
      }
      // One open objection per organization and award (a partial unique index too): the award row is
      // locked, so this check and the insert cannot be crossed by another objection on it.
      if (
        await trx('objections')
          .where({ award_id: awardId, organization_id: user.organizationId, status: 'open' })
          .first('id')
      ) {
        throw new ValidationFailed({ reasons: 'awards.errors.objectionOpen' });
      }
      const [inserted] = await trx('objections')
        .insert({
          award_id: awardId,
          call_id: call.id,
          organization_id: user.organizationId,
          reasons: input.reasons,
          status: 'open',
          lodged_by: user.id,
          lodged_at: now.toISOString(),
        })
        .returning('id');
      const objectionId = returnedId(inserted);
      const names: string[] = [];
      for (const file of files) {
        const stored = await storeFile(trx, deps.config.uploadDir, file, 'files', user.id, now);
        written.push(stored.storage_key);
        await trx('objection_files').insert({
          objection_id: objectionId,
          file_id: stored.id,
          created_at: now.toISOString(),
        });
        names.push(stored.original_name);
      }
      await notify(
        trx,
        await managersOf(trx, call.street_office_id),
        {
          kind: 'objection.lodged',
          messageKey: 'notifications.messages.objectionLodged',
          params: { call: call.title },
          link: `/awards/${awardId}/objections/${objectionId}`,
          subjectType: 'objection',
          subjectId: objectionId,
        },
        now,
      );
      return {
        result: objectionId,
        audit: {
          action: 'objection.lodge',
          subjectType: 'objection',
          subjectId: objectionId,
          streetOfficeId: call.street_office_id,
          organizationId: user.organizationId,
          after: { award_id: awardId, reasons: input.reasons, files: names },
        },
      };
    });
  } catch (err) {
    await Promise.all(written.map((key) => discardFile(deps.config.uploadDir, key)));
    throw isUniqueViolation(err) ? new ValidationFailed({ reasons: 'awards.errors.objectionOpen' }) : err;
  }
}

export interface AnswerInput {
  decision: 'upheld' | 'rejected';
  answer: string;
}

/**
 * The manager answers an objection in writing, once. Upheld: the award is withdrawn and the call
 * goes back to review with scoring reopened (publicity -> under_review, scoring_closed_at = null).
 * Rejected: the objection and its answer are published on the award page.
 */
export async function answerObjection(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  awardId: number,
  objectionId: number,
  input: AnswerInput,
): Promise<{ withdrawn: boolean }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const award = await lockedAward(trx, awardId);
    const call = await lockCall(trx, award.call_id);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    const objection = await trx('objections')
      .where({ id: objectionId, award_id: awardId })
      .first('id', 'status', 'organization_id');
    if (!objection) throw new NotFound();
    await moveObjection(trx, objectionId, input.decision === 'upheld' ? 'uphold' : 'reject', {
      set: { answer: input.answer, answered_by: user.id, answered_at: at },
      errorKey: 'awards.errors.alreadyAnswered',
    });

    const audit: AuditInput[] = [
      {
        action: `objection.${input.decision === 'upheld' ? 'uphold' : 'reject'}`,
        subjectType: 'objection',
        subjectId: objectionId,
        streetOfficeId: call.street_office_id,
        organizationId: Number(objection.organization_id),
        before: { status: 'open' },
        after: { status: input.decision, answer: input.answer },
      },
    ];
    // A later objection upheld on an award an earlier one already withdrew records its answer only.
    const withdraw = input.decision === 'upheld' && award.status === 'proposed';
    if (withdraw) {
      await moveAward(trx, awardId, 'withdraw', {
        set: { withdrawn_at: at, withdrawn_reason: input.answer.slice(0, 1000) },
        errorKey: 'awards.errors.notInPublicity',
      });
      await moveCall(trx, call.id, 'withdrawAward', {
        set: { scoring_closed_at: null, scoring_closed_by: null, updated_at: at },
        errorKey: 'awards.errors.notInPublicity',
      });
      audit.push({
        action: 'award.withdraw',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        organizationId: Number(objection.organization_id),
        before: { status: 'proposed', call_status: 'publicity', scoring_closed_at: call.scoring_closed_at ?? null },
        after: { status: 'withdrawn', call_status: 'under_review', scoring_closed_at: null, objection_id: objectionId },
      });
    }
    await notify(
      trx,
      await staffOf(trx, [Number(objection.organization_id)]),
      {
        kind: 'objection.answered',
        messageKey: 'notifications.messages.objectionAnswered',
        params: { call: call.title },
        link: `/awards/${awardId}/objections/${objectionId}`,
        subjectType: 'objection',
        subjectId: objectionId,
      },
      now,
    );
    return { result: { withdrawn: withdraw }, audit };
  });
}

/**
 * After the publicity period, with no objection open, the manager confirms the award: it becomes
 * final (proposed -> final, conditional, on the locked row: of two confirmations one wins and the
 * other is told it is already final), the call becomes awarded, the awarded amount moves from
 * reserved to committed across the call's fund sources (largest remainder, exact to the fen) and
 * the rest of the reservation is released, all in this one transaction. Winners are told the award
 * is final; every other bidder is told their own score and rank.
 */
export async function confirmAward(deps: Deps, actor: Actor, user: SessionUser, awardId: number): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const award = await lockedAward(trx, awardId);
    const call = await lockCall(trx, award.call_id);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    if (award.status === 'final') throw new InvalidState('awards.errors.alreadyFinal');
    if (award.status !== 'proposed') throw new InvalidState('awards.errors.notInPublicity');
    if (at < award.publicity_ends_at)
      throw new InvalidState('awards.errors.publicityRunning', { at: formatDateTime(award.publicity_ends_at) });
    if ((await openObjectionCount(trx, awardId)) > 0) throw new InvalidState('awards.errors.openObjections');

    await moveAward(trx, awardId, 'confirm', {
      set: { finalized_by: user.id, final_at: at },
      errorKey: 'awards.errors.alreadyFinal',
    });
    await moveCall(trx, call.id, 'confirmAward', { set: { updated_at: at }, errorKey: 'awards.errors.notInPublicity' });

    const ranking = await awardRanking(trx, awardId);
    // The awarded total is split over the call's sources (largest remainder), then the items × sources
    // matrix (splitMatrix) so that each item's row adds up to its amount and each source's column to
    // its part, to the fen: each award item (each future contract) holds its own money.
    const items: { id: number; amount_fen: number }[] = await trx('award_items')
      .where({ award_id: awardId })
      .orderBy([{ column: 'rank' }, { column: 'id' }])
      .select('id', 'amount_fen');
    const totalFen = items.reduce((s, i) => s + Number(i.amount_fen), 0);
    const shares = (await callSources(trx, call.id)).map((s) => ({
      source: s.source,
      amountFen: Number(s.amount_fen),
    }));
    const amounts = splitByShares(totalFen, shares);
    const matrix = splitMatrix(
      items.map((i) => Number(i.amount_fen)),
      amounts.map((a) => a.amountFen),
    );
    const perItem = items.map((item, r) => ({
      awardItemId: Number(item.id),
      amounts: amounts.map((a, c) => ({ source: a.source, amountFen: matrix[r][c] })).filter((a) => a.amountFen > 0),
    }));
    await commitAwardItems(trx, { callId: call.id, items: perItem, userId: user.id, now });
    await releaseCallReservation(trx, { callId: call.id, userId: user.id, now });

    const winners = ranking.filter((r) => r.amount_fen !== null);
    await notify(
      trx,
      await staffOf(
        trx,
        winners.map((w) => w.organization_id),
      ),
      {
        kind: 'award.final',
        messageKey: 'notifications.messages.awardFinal',
        params: { call: call.title },
        link: `/awards/${awardId}`,
        subjectType: 'award',
        subjectId: awardId,
      },
      now,
    );
    const others = ranking.filter((r) => r.amount_fen === null);
    const staff = await trx('users')
      .whereIn(
        'organization_id',
        others.map((o) => o.organization_id),
      )
      .where({ role: 'org_staff' })
      .whereNull('disabled_at')
      .select('id', 'organization_id');
    // Each bidder is told only its own score and rank: one message per organization.
    for (const bid of others) {
      const readers = staff
        .filter((u: { organization_id: number }) => Number(u.organization_id) === bid.organization_id)
        .map((u: { id: number }) => Number(u.id));
      await notify(
        trx,
        readers,
        {
          kind: 'bid.result',
          messageKey: 'notifications.messages.bidResult',
          params: { call: call.title, score: formatHundredths(bid.score_hundredths), rank: bid.rank },
          link: `/awards/${awardId}`,
          subjectType: 'award',
          subjectId: awardId,
        },
        now,
      );
    }
    return {
      result: undefined,
      audit: {
        action: 'award.finalize',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        before: { status: 'proposed', call_status: 'publicity' },
        after: {
          status: 'final',
          call_status: 'awarded',
          committed: amounts,
          total_fen: totalFen,
          items: perItem.map((i) => ({ award_item_id: i.awardItemId, committed: i.amounts })),
        },
      },
    };
  });
}
