/** What other modules may use of funds: the money movements (each inside the caller's transaction;
 *  the caller writes the audit event), the balances and the reconciliation. See README.md. */
export { fundsRoutes } from './routes';
export {
  FUND_SOURCES,
  FUND_ENTRY_KINDS,
  InsufficientFunds,
  isFundSource,
  reserveForCall,
  releaseCallReservation,
  commitFromReservation,
  commitAwardItems,
  streetYearBalances,
  type FundSource,
  type FundEntryKind,
  type SourceAmount,
  type Balance,
  type StreetYearBalances,
} from './service';
export {
  holdingsOf,
  holdingsOfItems,
  increaseCommitment,
  increaseShortfall,
  releaseCommitment,
  payFromCommitment,
  reversePayment,
  ReleaseExceedsCommitment,
  type Holding,
  type PaymentEntry,
} from './holdings';
export { floorStatus } from './queries';
export { reconcile, negativeHoldings, type ReconcileDifference } from './reconcile';
export { splitByShares, splitByWeights, splitEvenly, splitByPercent, parsePercent, splitMatrix } from '../../shared/split';
