import type { Role } from '../../../src/modules/accounts/roles';

/** Calls: browsing published calls is public by design; drafting, publishing, amending and
 *  cancelling belong to the managers of the call's street office. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /calls': { as: 'anonymous', status: 200 }, // public by design
  'GET /calls/:id': { as: 'anonymous', status: 404 }, // public for published calls; none exists here
  'GET /calls/:id/documents/:documentId': { as: 'anonymous', status: 404 },
  'GET /my/calls': { as: 'org_staff', status: 403 },
  'GET /calls/new': { as: 'admin', status: 403 },
  'POST /calls': { as: 'org_staff', status: 403 },
  'GET /calls/:id/edit': { as: 'auditor', status: 403 },
  'POST /calls/:id': { as: 'approver', status: 403 },
  'POST /calls/:id/publication': { as: 'org_staff', status: 403 },
  'POST /calls/:id/cancellation': { as: 'reviewer', status: 403 },
};
export default refusals;
