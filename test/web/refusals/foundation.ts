import type { Role } from '../../../src/modules/accounts/roles';

/** Routes of the foundation (accounts, users, street offices, audit trail; organizations are in organizations.ts),
 *  each with a role that must be refused it and the status it gets. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /': { as: 'anonymous', status: 200 }, // the public front page
  'GET /login': { as: 'anonymous', status: 200 }, // public by design
  'POST /login': { as: 'anonymous', status: 403 }, // without CSRF token
  'POST /language': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /language': { as: 'anonymous', status: 303 }, // public by design: sets only the language cookie
  'GET /healthz': { as: 'anonymous', status: 200 }, // public by design, no data
  'POST /logout': { as: 'anonymous', status: 401 },
  'GET /dashboard': { as: 'anonymous', status: 303 },
  'GET /admin/users': { as: 'manager', status: 403 },
  'GET /admin/users/new': { as: 'auditor', status: 403 },
  'POST /admin/users': { as: 'approver', status: 403 },
  'GET /admin/users/:id/edit': { as: 'org_staff', status: 403 },
  'POST /admin/users/:id': { as: 'reviewer', status: 403 },
  'POST /admin/users/:id/disable': { as: 'manager', status: 403 },
  'POST /admin/users/:id/enable': { as: 'auditor', status: 403 },
  'GET /admin/users/:id/sign-in-limit': { as: 'auditor', status: 403 },
  'POST /admin/users/:id/sign-in-limit/clear': { as: 'manager', status: 403 },
  'GET /admin/street-offices': { as: 'manager', status: 403 },
  'POST /admin/street-offices': { as: 'approver', status: 403 },
  'GET /admin/street-offices/:id/edit': { as: 'auditor', status: 403 },
  'POST /admin/street-offices/:id': { as: 'org_staff', status: 403 },
  'GET /audit': { as: 'manager', status: 403 },
  'GET /audit/verify': { as: 'org_staff', status: 403 },
  'GET /audit/sealed-logs/:callId': { as: 'reviewer', status: 403 },
  'GET /audit/:id': { as: 'reviewer', status: 403 },
};
export default refusals;
