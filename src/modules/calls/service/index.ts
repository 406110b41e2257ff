/**
 * A call's steps, one file per group, each one audited transaction: a draft created and saved (or,
 * once published, amended with its record of changes: drafting.ts), published with its fund
 * reservation (publishing.ts), and cancelled with the reservation released and the bidders told
 * (cancelling.ts). common.ts holds the checks against the database and the call's rows.
 */
export { CallProblems } from './common';
export { createDraft, saveCall, type CallSnapshot, type Change, type SaveOutcome } from './drafting';
export { publishCall } from './publishing';
export { cancelCall } from './cancelling';
