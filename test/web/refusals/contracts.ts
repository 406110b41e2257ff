import type { Role } from '../../../src/modules/accounts/roles';

/** Contracts: the street office's managers draft, send, sign, amend and terminate; the
 *  organization's staff answer; auditors and the administrator read. In-depth refusals (another
 *  street's manager, the other organization, an auditor writing, the public) are in test/contracts/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'POST /awards/:awardId/items/:itemId/contract': { as: 'org_staff', status: 403 },
  'GET /contracts': { as: 'org_staff', status: 403 },
  'GET /my/contracts': { as: 'manager', status: 403 },
  'GET /contracts/:contractId': { as: 'reviewer', status: 403 },
  'GET /contracts/:contractId/edit': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/sending': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/return': { as: 'manager', status: 403 },
  'POST /contracts/:contractId/acceptance': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/signature': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/termination': { as: 'approver', status: 403 },
  'GET /contracts/:contractId/amendments/new': { as: 'org_staff', status: 403 },
  'POST /contracts/:contractId/amendments': { as: 'auditor', status: 403 },
  'POST /contracts/:contractId/amendments/:versionId/acceptance': { as: 'manager', status: 403 },
  'POST /contracts/:contractId/amendments/:versionId/rejection': { as: 'admin', status: 403 },
  'POST /contracts/:contractId/amendments/:versionId/withdrawal': { as: 'org_staff', status: 403 },
  'GET /contracts/:contractId/contract.pdf': { as: 'anonymous', status: 303 },
  'GET /contracts/:contractId/scan': { as: 'reviewer', status: 403 },
  'POST /contracts/:contractId/scan': { as: 'anonymous', status: 403 },
  'GET /public/contracts/:contractId/contract.pdf': { as: 'anonymous', status: 404 }, // public by design for a signed contract; none here
};
export default refusals;
