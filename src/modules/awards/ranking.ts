import type { Queryable } from '../../db/knex';
import { submittedBids } from '../bids';

/** What the awards module uses of bids and reviews, in one place (the issue-4 interfaces). */
export { rankBids, scoringClosed, formatHundredths, type RankedBid } from '../reviews';

/** Organizations that submitted a bid on the call (those who may object to its award). */
export async function submittedBidderIds(db: Queryable, callId: number): Promise<number[]> {
  return [...new Set((await submittedBids(db, callId)).map((b) => b.organization_id))];
}
