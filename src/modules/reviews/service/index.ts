/**
 * The review's use cases, one file per group: opening the bids after the deadline (opening.ts), the
 * panel (panel.ts), the reviewer's declaration and score sheet (scoring.ts) and the close of scoring
 * with the ranking (closing.ts). Each is one transaction with its audit event inside; each state
 * change of the call is a conditional UPDATE whose row count is checked, and every write first locks
 * the call row (common.ts), so scoring, panel changes and the close are serialized per call.
 */
export { StillSealed } from './common';
export { openBids } from './opening';
export { assignReviewer, removeReviewer } from './panel';
export { declare, reviewerBid, saveSheet, scoringRefusal } from './scoring';
export { BidsWithoutSheet, closeScoring } from './closing';
