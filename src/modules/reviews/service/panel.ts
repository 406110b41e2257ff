import { auditedTransaction, type Actor } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { Forbidden, NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { notify } from '../../notifications';
import { canRunReview } from '../policy';
import { isOnPanel, scoresOf } from '../queries';
import { lockCall, requireOpenScoring, type Deps } from './common';

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
