import type { Role } from '../../../src/modules/accounts/roles';

/** The administrator's page for an auditor's scope (src/modules/accounts/audit-scope.ts). */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /admin/users/:id/audit-scope': { as: 'auditor', status: 403 },
  'POST /admin/users/:id/audit-scope/streets': { as: 'auditor', status: 403 },
  'POST /admin/users/:id/audit-scope/street-removal': { as: 'manager', status: 403 },
  'POST /admin/users/:id/audit-scope/district': { as: 'auditor', status: 403 },
};
export default refusals;
