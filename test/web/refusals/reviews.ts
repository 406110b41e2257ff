import type { Role } from '../../../src/modules/accounts/roles';

/** Routes of the review (评审), each with a role that must be refused it and the status it gets.
 *  In-depth refusals (another street's manager, a reviewer not on the panel, conflicts) are in test/reviews. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /reviews': { as: 'org_staff', status: 403 },
  'GET /reviews/calls/:callId': { as: 'approver', status: 403 },
  'GET /reviews/calls/:callId/ranking': { as: 'org_staff', status: 403 },
  'POST /reviews/calls/:callId/opening': { as: 'auditor', status: 403 },
  'POST /reviews/calls/:callId/reviewers': { as: 'reviewer', status: 403 },
  'POST /reviews/calls/:callId/reviewers/:reviewerId/removal': { as: 'admin', status: 403 },
  'POST /reviews/calls/:callId/scoring-closure': { as: 'approver', status: 403 },
  'GET /reviews/calls/:callId/bids/:bidRef': { as: 'manager', status: 403 },
  'POST /reviews/calls/:callId/bids/:bidRef/declaration': { as: 'org_staff', status: 403 },
  'POST /reviews/calls/:callId/bids/:bidRef/scores': { as: 'anonymous', status: 403 },
};
export default refusals;
