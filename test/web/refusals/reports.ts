import type { Role } from '../../../src/modules/accounts/roles';

/** Auditor reports and findings: auditors, managers (their street) and the administrator read;
 *  only auditors record findings, only managers answer them. In depth: test/reports/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /reports': { as: 'org_staff', status: 403 },
  'GET /reports/register': { as: 'reviewer', status: 403 },
  'GET /reports/register/export': { as: 'org_staff', status: 403 },
  'GET /reports/funds': { as: 'approver', status: 403 },
  'GET /reports/funds/export': { as: 'anonymous', status: 303 }, // to the sign-in page
  'GET /reports/payments': { as: 'org_staff', status: 403 },
  'GET /reports/payments/export': { as: 'reviewer', status: 403 },
  'GET /reports/contracts/:contractId/dossier.pdf': { as: 'auditor', status: 404 }, // no such contract in their streets
  'GET /findings': { as: 'org_staff', status: 403 },
  'GET /findings/new': { as: 'manager', status: 403 },
  'POST /findings': { as: 'manager', status: 403 },
  'GET /findings/:findingId': { as: 'reviewer', status: 403 },
  'POST /findings/:findingId/answer': { as: 'auditor', status: 403 },
};
export default refusals;
