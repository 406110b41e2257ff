import type { Role } from '../../../src/modules/accounts/roles';

/** Milestone reports: the contract's organization writes, the street's managers return, auditors
 *  and the administrator read. In-depth refusals (another organization, another street, an auditor
 *  writing) are in test/evaluations/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /contracts/:contractId/milestones/:seq/report': { as: 'approver', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/report': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/report/return': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/manager-score': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/closing': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/assessors': { as: 'reviewer', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/declaration': { as: 'manager', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/assessor-score': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/review': { as: 'manager', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/review/answer': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/rating-round': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/milestones/:seq/evaluation/rating-round/closing': { as: 'auditor', status: 403 },
  'GET /contracts/:contractId/milestones/:seq/evaluation/rating-round': { as: 'org_staff', status: 403 },
  'GET /contracts/:contractId/milestones/:seq/evaluation/opinion-file': { as: 'approver', status: 403 },
  'GET /r/:token': { as: 'anonymous', status: 404 }, // public by design; a guessed link finds nothing
  'POST /r/:token': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /contracts/:contractId/milestones/:seq/evaluation/report.pdf': { as: 'anonymous', status: 303 },
  'GET /contracts/:contractId/milestones/:seq/report/files/:fileId': { as: 'approver', status: 403 },
};
export default refusals;
