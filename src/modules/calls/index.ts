/** What other modules may use of calls: reading a call and its money and criteria, who may manage it,
 *  and the evaluation weights a call sets. The routes are mounted by src/app.ts from ./routes. */
export { findCall, findCallRow, callSources, callCriteria, type CallRow, type CallView } from './queries';
export { canManageCall, canSeeCall, effectiveStatus, isOpen } from './policy';
export { moveCall, CALL_STATES, type CallState } from './lifecycle';
export { EVALUATION_SOURCES, type EvaluationSource, type EvaluationWeights } from './weights';
