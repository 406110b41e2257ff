import { auditedTransaction, type Actor } from '../../../audit/audit';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { canRunReview } from '../policy';
import { rankBids } from '../ranking';
import { lockCall, requireOpenScoring, type Deps } from './common';

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
