import type { AppDeps } from '../../deps';
import { auditedTransaction, recordAudit, type Actor } from '../../audit/audit';
import { commitSealedLog } from '../../audit/sealed';
import { forUpdate, type Tx } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { notify, staffOf } from '../notifications';
import { moveCall } from '../calls';
import { findSubmittedBid, submittedBids, type ReviewBid } from './bids';
import { canRunReview, isAffiliated, scoringOpen } from './policy';
import { criteriaOf, findDeclaration, findReviewCall, isOnPanel, scoresOf, type ReviewCall } from './queries';
import { rankBids } from './ranking';
import type { DeclarationInput, SheetInput } from './schemas';

// The review's use cases. Each is one transaction with its audit event inside; each state change of
// the call is a conditional UPDATE whose row count is checked, and every write first locks the call
// row (FOR UPDATE on PostgreSQL; SQLite has one writer), so scoring, panel changes and the closing
// of scoring are serialized per call: a score can never slip in after the close.

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** Opening refused because the deadline has not come: the handler shows the time in the user's language. */
export class StillSealed extends InvalidState {
  constructor(public readonly closesAt: string) {
    super('reviews.errors.sealed', { closesAt });
  }
}

async function lockCall(trx: Tx, callId: number): Promise<ReviewCall> {
  await forUpdate(trx, trx('calls').where({ id: callId }).select('id'));
  const call = await findReviewCall(trx, callId);
  if (!call) throw new NotFound();
  return call;
}

function requireOpenScoring(call: ReviewCall) {
  if (scoringOpen(call)) return;
  if (call.scoring_closed_at) throw new InvalidState('reviews.errors.scoringClosed');
  throw new InvalidState('reviews.errors.notUnderReview');
}

/** Opens the bids of a call after its deadline: published -> under_review, the bidders' staff are
 *  notified. Before the deadline (even by a second), twice, or on a call not published: 409. */
export async function openBids(deps: Deps, actor: Actor, user: SessionUser, callId: number) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canRunReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
    if (call.bids_opened_at) throw new InvalidState('reviews.errors.alreadyOpened');
    if (call.status === 'published' && call.closes_at > at) throw new StillSealed(call.closes_at);
    await moveCall(trx, callId, 'openBids', {
      set: { bids_opened_at: at, bids_opened_by: user.id, updated_at: at },
      where: (q) => q.where('closes_at', '<=', at).whereNull('bids_opened_at'),
      errorKey: 'reviews.errors.notPublished',
    });
    // One main-chain event commits to the call's sealed log (its bids' events before the deadline)
    // and the log becomes readable to those who may read the bids; none is written to it any more.
    const sealedLog = await commitSealedLog(
      trx,
      callId,
      (t, input) => recordAudit(t, actor, input, now),
      call.street_office_id,
    );
    const bids = await submittedBids(trx, callId);
    const staff = await staffOf(
      trx,
      bids.map((b) => b.organizationId),
    );
    await notify(
      trx,
      staff,
      {
        kind: 'bids.opened',
        messageKey: 'notifications.messages.bidsOpened',
        params: { call: call.title },
        link: `/calls/${callId}`,
        subjectType: 'call',
        subjectId: callId,
      },
      now,
    );
    return {
      result: bids,
      audit: {
        action: 'review.bids_opened',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: call.status },
        after: {
          status: 'under_review',
          sealedLog: { count: sealedLog.count, head: sealedLog.head },
          bids: bids.map((b) => ({
            ref: b.ref,
            organizationId: b.organizationId,
            priceFen: b.priceFen,
            submittedAt: b.submittedAt,
          })),
        },
      },
    };
  });
}

/** Adds a reviewer to the panel. Bids of an organization the reviewer belongs to are barred at once:
 *  recorded as an automatic declared conflict, so they can never be scored by them. */
export async function assignReviewer(deps: Deps, actor: Actor, user: SessionUser, callId: number, reviewerId: number) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canRunReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
    requireOpenScoring(call);
    const reviewer = await trx('users')
      .where({ id: reviewerId, role: 'reviewer' })
      .whereNull('disabled_at')
      .first('id', 'display_name', 'organization_id');
    if (!reviewer) throw new ValidationFailed({ reviewerId: 'validation.choose' });
    if (await isOnPanel(trx, callId, reviewerId))
      throw new ValidationFailed({ reviewerId: 'reviews.errors.alreadyOnPanel' });
    try {
      await trx.transaction(async (sp) => {
        await sp('call_reviewers').insert({
          call_id: callId,
          reviewer_id: reviewerId,
          assigned_by: user.id,
          assigned_at: at,
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ValidationFailed({ reviewerId: 'reviews.errors.alreadyOnPanel' });
      throw err;
    }
    const barred = reviewer.organization_id
      ? await trx('bids')
          .where({ call_id: callId, status: 'submitted', organization_id: reviewer.organization_id })
          .select('id', 'ref')
      : [];
    if (barred.length) {
      await trx('conflict_declarations')
        .insert(
          barred.map((b) => ({
            call_id: callId,
            reviewer_id: reviewerId,
            bid_id: Number(b.id),
            has_conflict: true,
            automatic: true,
            note: null,
            declared_at: at,
          })),
        )
        .onConflict(['reviewer_id', 'bid_id'])
        .merge({ has_conflict: true, automatic: true });
    }
    await notify(
      trx,
      [reviewerId],
      {
        kind: 'review.assigned',
        messageKey: 'reviews.notifications.assigned',
        params: { call: call.title },
        link: `/reviews/calls/${callId}`,
        subjectType: 'call',
        subjectId: callId,
      },
      now,
    );
    return {
      result: { name: reviewer.display_name as string, barredBids: barred.length },
      audit: {
        action: 'review.reviewer_assigned',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        after: { reviewerId, barredBids: barred.map((b) => b.ref as string) },
      },
    };
  });
}

/** Takes a reviewer off the panel while scoring is open. Their scores on this call are discarded
 *  (the audit event keeps them); their declarations stay, since a declaration is final. */
export async function removeReviewer(deps: Deps, actor: Actor, user: SessionUser, callId: number, reviewerId: number) {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canRunReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
    if (!(await isOnPanel(trx, callId, reviewerId))) throw new NotFound();
    requireOpenScoring(call);
    const discarded = await scoresOf(trx, callId, { reviewerId });
    if (discarded.length) {
      await trx('review_scores')
        .where('reviewer_id', reviewerId)
        .whereIn('bid_id', trx('bids').where('call_id', callId).select('id'))
        .delete();
    }
    await trx('call_reviewers').where({ call_id: callId, reviewer_id: reviewerId }).delete();
    const reviewer = await trx('users').where({ id: reviewerId }).first('display_name');
    return {
      result: { name: (reviewer?.display_name as string) ?? '' },
      audit: {
        action: 'review.reviewer_removed',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: {
          reviewerId,
          scores: discarded.map((s) => ({
            bid: s.bid_ref,
            criterionId: s.criterion_id,
            score: s.score,
            comment: s.comment,
          })),
        },
      },
    };
  });
}

/** What a reviewer may do with a bid of a call they are on the panel of; the shared checks of
 *  declaring and scoring (also used by the page, without a lock). */
export async function reviewerBid(
  db: Deps['db'] | Tx,
  user: SessionUser,
  callId: number,
  bidId: number,
): Promise<{ call: ReviewCall; bid: ReviewBid }> {
  const call = await findReviewCall(db, callId);
  if (!call) throw new NotFound();
  if (user.role !== 'reviewer' || !(await isOnPanel(db, callId, user.id)))
    throw new Forbidden('reviews.errors.notOnPanel');
  const bid = await findSubmittedBid(db, callId, bidId);
  if (!bid) throw new NotFound();
  return { call, bid };
}

/**
 * A reviewer's declaration on one bid. Final: a declared conflict never becomes "no conflict" (that
 * would let someone withdraw a disclosure once they saw the bids). The one change allowed is the
 * safe direction: a reviewer who declared no conflict and then finds one may declare it while
 * scoring is open; their scores on that bid are then discarded.
 */
export async function declare(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  bidId: number,
  input: DeclarationInput,
) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    await lockCall(trx, callId);
    const { call, bid } = await reviewerBid(trx, user, callId, bidId);
    requireOpenScoring(call);
    if (isAffiliated({ organization_id: user.organizationId }, bid))
      throw new InvalidState('reviews.errors.affiliated');
    const existing = await findDeclaration(trx, user.id, bidId);
    let discarded = 0;
    if (existing) {
      if (existing.has_conflict) throw new InvalidState('reviews.errors.declarationFinal');
      if (!input.hasConflict) throw new InvalidState('reviews.errors.alreadyDeclared');
      const changed = await trx('conflict_declarations')
        .where({ reviewer_id: user.id, bid_id: bidId, has_conflict: false })
        .update({ has_conflict: true, note: input.note, declared_at: at });
      if (changed !== 1) throw new InvalidState('reviews.errors.declarationFinal');
      discarded = Number(await trx('review_scores').where({ reviewer_id: user.id, bid_id: bidId }).delete());
    } else {
      try {
        await trx.transaction(async (sp) => {
          await sp('conflict_declarations').insert({
            call_id: callId,
            reviewer_id: user.id,
            bid_id: bidId,
            has_conflict: input.hasConflict,
            automatic: false,
            note: input.note,
            declared_at: at,
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new InvalidState('reviews.errors.alreadyDeclared');
        throw err;
      }
    }
    return {
      result: input.hasConflict,
      audit: {
        action: input.hasConflict ? 'review.conflict_declared' : 'review.no_conflict_declared',
        subjectType: 'bid',
        subjectId: bid.ref,
        streetOfficeId: call.street_office_id,
        organizationId: bid.organization_id,
        before: existing ? { hasConflict: existing.has_conflict, note: existing.note } : undefined,
        after: {
          callId,
          reviewerId: user.id,
          hasConflict: input.hasConflict,
          note: input.note,
          discardedScores: discarded,
        },
      },
    };
  });
}

/** Why a reviewer may not score a bid, or null: affiliated (403), declared conflict (403), no
 *  declaration yet (409). */
export function scoringRefusal(user: SessionUser, bid: ReviewBid, declaration: { has_conflict: boolean } | undefined) {
  if (isAffiliated({ organization_id: user.organizationId }, bid)) return new Forbidden('reviews.errors.affiliated');
  if (declaration?.has_conflict) return new Forbidden('reviews.errors.conflicted');
  if (!declaration) return new InvalidState('reviews.errors.declareFirst');
  return null;
}

/** Saves (or revises) a reviewer's whole sheet for one bid: a score 0..100 and a comment for every
 *  criterion of the call, in one multi-row upsert. */
export async function saveSheet(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  bidId: number,
  sheet: SheetInput,
) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    await lockCall(trx, callId);
    const { call, bid } = await reviewerBid(trx, user, callId, bidId);
    requireOpenScoring(call);
    const refusal = scoringRefusal(user, bid, await findDeclaration(trx, user.id, bidId));
    if (refusal) throw refusal;
    const criteria = await criteriaOf(trx, callId);
    if (criteria.length === 0 || criteria.some((c) => !sheet.has(c.id)))
      throw new InvalidState('reviews.errors.criteriaChanged');
    const before = await scoresOf(trx, callId, { reviewerId: user.id, bidId });
    await trx('review_scores')
      .insert(
        criteria.map((c) => ({
          bid_id: bidId,
          reviewer_id: user.id,
          criterion_id: c.id,
          score: sheet.get(c.id)!.score,
          comment: sheet.get(c.id)!.comment,
          created_at: at,
          updated_at: at,
        })),
      )
      .onConflict(['bid_id', 'reviewer_id', 'criterion_id'])
      .merge(['score', 'comment', 'updated_at']);
    const weighted = criteria.reduce((sum, c) => sum + sheet.get(c.id)!.score * c.weight, 0);
    return {
      result: { revised: before.length > 0, weighted },
      audit: {
        action: before.length ? 'review.sheet_revised' : 'review.sheet_scored',
        subjectType: 'bid',
        subjectId: bid.ref,
        streetOfficeId: call.street_office_id,
        organizationId: bid.organization_id,
        before: before.length
          ? before.map((s) => ({ criterionId: s.criterion_id, score: s.score, comment: s.comment }))
          : undefined,
        after: {
          callId,
          reviewerId: user.id,
          weightedHundredths: weighted,
          scores: criteria.map((c) => ({ criterionId: c.id, ...sheet.get(c.id)! })),
        },
      },
    };
  });
}

/** Bids that have no complete counted sheet yet; closing waits for them. */
export class BidsWithoutSheet extends InvalidState {
  constructor(public readonly organizations: string[]) {
    super('reviews.errors.bidsWithoutSheet', { organizations: organizations.join('、') });
  }
}

/**
 * Closes scoring. Allowed once every submitted bid has at least one complete sheet from a reviewer
 * cleared for it: a reviewer who never finishes cannot hold the call hostage, and the manager sees on
 * the review page exactly which sheets are missing before deciding. The ranking is fixed from here.
 */
export async function closeScoring(deps: Deps, actor: Actor, user: SessionUser, callId: number) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canRunReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
    requireOpenScoring(call);
    const ranking = await rankBids(trx, callId);
    const unscored = ranking.filter((r) => r.sheets === 0);
    if (unscored.length) throw new BidsWithoutSheet(unscored.map((r) => r.organizationName));
    const updated = await trx('calls')
      .where({ id: callId, status: 'under_review' })
      .whereNull('scoring_closed_at')
      .update({ scoring_closed_at: at, scoring_closed_by: user.id, updated_at: at });
    if (updated !== 1) throw new InvalidState('reviews.errors.scoringClosed');
    return {
      result: ranking,
      audit: {
        action: 'review.scoring_closed',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        after: {
          ranking: ranking.map((r) => ({
            bid: r.bidRef,
            rank: r.rank,
            scoreHundredths: r.scoreHundredths,
            sheets: r.sheets,
            decidedBy: r.decidedBy,
          })),
        },
      },
    };
  });
}
