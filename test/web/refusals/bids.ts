import type { Role } from '../../../src/modules/accounts/roles';

/** Bids and street-office exclusions. The role check refuses first, before any record is looked up;
 *  the sealed rules (404 to everyone but the bidder before the deadline) are tested in test/bids. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /my/bids': { as: 'manager', status: 403 },
  'GET /calls/:callId/bids/new': { as: 'manager', status: 403 },
  'POST /calls/:callId/bids': { as: 'manager', status: 403 },
  'GET /bids/:bidRef': { as: 'approver', status: 403 },
  'GET /bids/:bidRef/edit': { as: 'manager', status: 403 },
  'POST /bids/:bidRef': { as: 'auditor', status: 403 },
  'POST /bids/:bidRef/withdrawal': { as: 'manager', status: 403 },
  'GET /bids/:bidRef/files/:fileRef': { as: 'approver', status: 403 },
  'POST /bids/:bidRef/files/:fileRef/removal': { as: 'reviewer', status: 403 },
  'GET /street-office/exclusions': { as: 'org_staff', status: 403 },
  'POST /street-office/exclusions': { as: 'auditor', status: 403 },
  'POST /street-office/exclusions/:exclusionId/removal': { as: 'admin', status: 403 },
};
export default refusals;
