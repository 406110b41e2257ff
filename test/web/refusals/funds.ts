import type { Role } from '../../../src/modules/accounts/roles';

/** Routes of the funds module, each with a role that must be refused it (module tests go deeper). */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /funds': { as: 'org_staff', status: 403 },
  'GET /funds/streets/:streetOfficeId/years/:year': { as: 'reviewer', status: 403 },
  'GET /funds/allocations/new': { as: 'auditor', status: 403 },
  'POST /funds/allocations': { as: 'approver', status: 403 },
  'GET /funds/entries/:id/reversal': { as: 'org_staff', status: 403 },
  'POST /funds/entries/:id/reversal': { as: 'auditor', status: 403 },
};
export default refusals;
