/** What other modules may use of reports: the routes, and a contract's findings (审计意见) for pages
 *  that want to show them. See README.md. */
export { reportRoutes } from './routes';
export { findingsOfContract, type FindingRow } from './findings';
export { readableStreetIds } from './policy';
