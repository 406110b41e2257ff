/** The bids module's interface for other modules (reviews, awards, calls). Everything that returns
 *  bid data is for use after the call's deadline only: check isSealed(call, now) first. */
export {
  isSealed,
  budgetLines,
  bidFiles,
  findBid,
  findBidByRef,
  submittedBids,
  hasSubmittedBids,
  bidderOrganizationIds,
  submittedBidCount,
} from './queries';
export type { BidFileRow, BudgetLine, BidRow, BidStatus, SubmittedBid } from './queries';
