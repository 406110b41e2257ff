/**
 * The award's steps, one file per use-case group, each one audited transaction: the manager's
 * proposal after scoring (proposals.ts), objections lodged and answered in the publicity period
 * (objections.ts), and the confirmation that commits the money (confirmation.ts).
 */
export { ProposalProblems, type ReviewedCall } from './common';
export { proposalRefusal, proposeAward } from './proposals';
export { answerObjection, lodgeObjection, type AnswerInput, type ObjectionInput } from './objections';
export { confirmAward } from './confirmation';
