/** The review module's interface for other modules (awards, dashboard). */
export { rankBids, scoringClosed, formatHundredths, compareBids, rankScored, roundedMean } from './ranking';
export type { RankedBid, ScoredBid } from './ranking';
export { reviewerTodo } from './queries';
export type { ReviewerTodo } from './queries';
