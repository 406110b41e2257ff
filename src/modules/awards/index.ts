/** What other modules may use of awards (contracts will start from a final award). */
export { awardRoutes } from './routes';
export { splitByShares } from './split';
export { findAward, standingAward, awardItems, type AwardRow, type AwardView } from './queries';
export { proposeAward, lodgeObjection, answerObjection, confirmAward } from './service';
export { markItemContracted } from './contracted';
