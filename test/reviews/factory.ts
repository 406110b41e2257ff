import type { TestContext } from '../helpers/app';
import type { ReviewFixture } from '../helpers/chain';

// Rows for review tests, inserted directly. The call closed before the test clock's "now" and its
// submitted bids are links of the shared chain of test records (test/helpers/chain.ts); `reviewCall`
// is its `closedCall`. Bids are made there rather than through the bids module so the review tests
// stand on their own.
export { closedCall as reviewCall, submittedBid, type ReviewFixture } from '../helpers/chain';

/** Puts a call under review with a panel, directly (for tests of what comes after opening). */
export async function underReview(ctx: TestContext, callId: number, reviewerIds: number[]) {
  const at = ctx.clock.now().toISOString();
  await ctx.db('calls').where({ id: callId }).update({ status: 'under_review', bids_opened_at: at });
  if (reviewerIds.length)
    await ctx
      .db('call_reviewers')
      .insert(reviewerIds.map((id) => ({ call_id: callId, reviewer_id: id, assigned_at: at })));
}

export async function declareDirect(
  ctx: TestContext,
  callId: number,
  reviewerId: number,
  bidId: number,
  hasConflict = false,
) {
  await ctx.db('conflict_declarations').insert({
    call_id: callId,
    reviewer_id: reviewerId,
    bid_id: bidId,
    has_conflict: hasConflict,
    note: hasConflict ? '亲属' : null,
    declared_at: ctx.clock.now().toISOString(),
  });
}

/** A complete sheet, directly: scores in the order of the call's criteria. */
export async function sheetDirect(
  ctx: TestContext,
  fixture: ReviewFixture,
  reviewerId: number,
  bidId: number,
  scores: number[],
) {
  const at = ctx.clock.now().toISOString();
  await ctx.db('review_scores').insert(
    fixture.criteria.map((c, i) => ({
      bid_id: bidId,
      reviewer_id: reviewerId,
      criterion_id: c.id,
      score: scores[i],
      comment: '评语',
      created_at: at,
      updated_at: at,
    })),
  );
}

/** Form fields of a whole sheet. */
export function sheetForm(fixture: ReviewFixture, scores: (number | string)[], comment = '理由充分') {
  const fields: Record<string, string> = {};
  fixture.criteria.forEach((c, i) => {
    fields[`score_${c.id}`] = String(scores[i]);
    fields[`comment_${c.id}`] = comment;
  });
  return fields;
}
