import type { Role } from '../../../src/modules/accounts/roles';

/** The catalogue: browsing is public by design; keeping it is for managers and the administrator. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /catalog': { as: 'anonymous', status: 200 }, // public by design
  'GET /catalog/:id': { as: 'anonymous', status: 404 }, // public, but there is no item 1 in an empty catalogue
  'GET /catalog/new': { as: 'auditor', status: 403 },
  'POST /catalog': { as: 'org_staff', status: 403 },
  'GET /catalog/:id/edit': { as: 'approver', status: 403 },
  'POST /catalog/:id': { as: 'reviewer', status: 403 },
  'POST /catalog/:id/retirement': { as: 'auditor', status: 403 },
  'POST /catalog/:id/reactivation': { as: 'org_staff', status: 403 },
};
export default refusals;
