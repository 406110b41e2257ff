/** What other modules may use of the audit trail pages: the latest events for a dashboard, told as
 *  sentences that name who did what. */
export { recentEvents, changesSince, previousSignIn, type EventListRow } from './queries';
export { describeEvents, type Described } from './describe';
export { actionName, hasActionSentence, sentenceText } from './labels';
export { trailScope, type TrailScope } from './scope';
