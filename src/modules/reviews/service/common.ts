import type { AppDeps } from '../../../deps';
import { forUpdate, type Tx } from '../../../db/knex';
import { InvalidState, NotFound } from '../../../web/errors';
import { scoringOpen } from '../policy';
import { findReviewCall, type ReviewCall } from '../queries';

// The review's use cases. Each is one transaction with its audit event inside; each state change of
// the call is a conditional UPDATE whose row count is checked, and every write first locks the call
// row (FOR UPDATE on PostgreSQL; SQLite has one writer), so scoring, panel changes and the closing
// of scoring are serialized per call: a score can never slip in after the close.
export type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** Opening refused because the deadline has not come: the handler shows the time in the user's language. */
export class StillSealed extends InvalidState {
  constructor(public readonly closesAt: string) {
    super('reviews.errors.sealed', { closesAt });
  }
}

export async function lockCall(trx: Tx, callId: number): Promise<ReviewCall> {
  await forUpdate(trx, trx('calls').where({ id: callId }).select('id'));
  const call = await findReviewCall(trx, callId);
  if (!call) throw new NotFound();
  return call;
}

export function requireOpenScoring(call: ReviewCall) {
  if (scoringOpen(call)) return;
  if (call.scoring_closed_at) throw new InvalidState('reviews.errors.scoringClosed');
  throw new InvalidState('reviews.errors.notUnderReview');
}
