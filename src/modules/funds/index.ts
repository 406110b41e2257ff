/** What other modules may use of funds: the money movements (each inside the caller's transaction;
 *  the caller writes the audit event), the balances and the reconciliation. See README.md. */
export { fundsRoutes } from './routes';
export {
  FUND_SOURCES,
  FUND_ENTRY_KINDS,
  InsufficientFunds,
  isFundSource,
  streetYearBalances,
  type FundSource,
  type FundEntryKind,
  type SourceAmount,
  type Balance,
  type StreetYearBalances,
} from './ledger';
export { reserveForCall, releaseCallReservation, commitFromReservation, commitAwardItems } from './reservations';
export { holdingsOf, holdingsOfItems, type Holding, type PaymentEntry } from './holdings';
export {
  increaseCommitment,
  increaseShortfall,
  releaseCommitment,
  payFromCommitment,
  reversePayment,
  reclaimPayment,
  ReleaseExceedsCommitment,
} from './movements';
/** Read-only, for the public disclosure pages and the open data (src/modules/disclosure). */
export { ANNUAL_FLOOR_FEN, MIN_YEAR, MAX_YEAR } from './ledger';
export {
  streetYearSummary,
  overview,
  districtYearTotals,
  paymentLedgerOfContracts,
  paidByMonthOfStreetYear,
  paidByContractOfStreetYear,
  fundedStreetYears,
  floorStatus,
  type FundRow,
  type OverviewRow,
  type PaymentLedgerRow,
} from './queries';
export { formatGrowthPercent } from './format';
export { shanghaiYear } from '../../shared/time';
export { reconcile, negativeHoldings, type ReconcileDifference } from './reconcile';
export {
  splitByShares,
  splitByWeights,
  splitEvenly,
  splitByPercent,
  parsePercent,
  splitMatrix,
} from '../../shared/split';
