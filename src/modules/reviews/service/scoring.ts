import { auditedTransaction, type Actor } from '../../../audit/audit';
import { type Tx } from '../../../db/knex';
import { isUniqueViolation } from '../../../db/errors';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { findSubmittedBid, type ReviewBid } from '../bids';
import { isAffiliated } from '../policy';
import { criteriaOf, findDeclaration, findReviewCall, isOnPanel, scoresOf, type ReviewCall } from '../queries';
import type { DeclarationInput, SheetInput } from '../schemas';
import { lockCall, requireOpenScoring, type Deps } from './common';

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
