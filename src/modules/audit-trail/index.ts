/** What other modules may use of the audit trail pages: the latest events for a dashboard. */
export { recentEvents, type EventListRow } from './queries';
