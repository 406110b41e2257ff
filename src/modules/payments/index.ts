/** What other modules may use of payments (拨付): the routes, the dashboard's lists, the contract's
 *  payments (no personal data), the payment journal query (for reports) and the reconciliation
 *  re-exported from funds. See README.md for the columns and rules. */
export { paymentRoutes } from './routes';
export { paymentDashboard, type PaymentDashboard, type MilestoneToPropose } from './dashboard';
export { paymentsOfContract, paymentJournalQuery, type ContractPayment, type PaymentKind } from './queries';
export { reconcile, negativeHoldings, type ReconcileDifference } from '../funds';
export { paymentInvariants } from './invariants';
