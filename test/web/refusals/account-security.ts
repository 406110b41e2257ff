import type { Role } from '../../../src/modules/accounts/roles';

/** Passwords and the second factor (src/modules/accounts/security-routes.ts). */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /login/second-factor': { as: 'anonymous', status: 303 }, // public, but only after the password step: back to /login
  'POST /login/second-factor': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /account/password': { as: 'anonymous', status: 303 },
  'POST /account/password': { as: 'anonymous', status: 401 },
  'GET /account/second-factor': { as: 'org_staff', status: 403 },
  'POST /account/second-factor': { as: 'reviewer', status: 403 },
  'POST /account/second-factor/confirm': { as: 'org_staff', status: 403 },
  'GET /account/second-factor/verify': { as: 'reviewer', status: 403 },
  'POST /account/second-factor/verify': { as: 'org_staff', status: 403 },
  'POST /account/second-factor/recovery-codes': { as: 'reviewer', status: 403 },
  'POST /admin/users/:id/password-reset': { as: 'manager', status: 403 },
  'POST /admin/users/:id/second-factor-reset': { as: 'auditor', status: 403 },
};
export default refusals;
