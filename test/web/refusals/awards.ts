import type { Role } from '../../../src/modules/accounts/roles';

/** Routes of the awards module, each with a role that must be refused it and the status it gets.
 *  In-depth refusals (other street offices, non-bidders, after publicity) are in test/awards/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /awards': { as: 'anonymous', status: 200 }, // public by design: the award notices
  'GET /awards/:awardId': { as: 'anonymous', status: 404 }, // public by design; no award 1 here
  'GET /calls/:callId/award-notice': { as: 'anonymous', status: 404 }, // public by design; no award stands on call 1 here
  'GET /manage/awards': { as: 'org_staff', status: 403 },
  'GET /calls/:callId/award/new': { as: 'reviewer', status: 403 },
  'POST /calls/:callId/award': { as: 'approver', status: 403 },
  'POST /awards/:awardId/confirmation': { as: 'org_staff', status: 403 },
  'GET /awards/:awardId/objections/new': { as: 'anonymous', status: 303 },
  'POST /awards/:awardId/objections': { as: 'anonymous', status: 401 },
  'GET /awards/:awardId/objections/:objectionId': { as: 'reviewer', status: 403 },
  'POST /awards/:awardId/objections/:objectionId/answer': { as: 'org_staff', status: 403 },
  'GET /awards/:awardId/objections/:objectionId/files/:fileId': { as: 'approver', status: 403 },
};
export default refusals;
