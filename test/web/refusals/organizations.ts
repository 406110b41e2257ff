import type { Role } from '../../../src/modules/accounts/roles';

/** Routes of the organization registry, each with a role that must be refused it and the status.
 *  The :id is an approved organization made by the test; the public routes are public by design. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /registry': { as: 'anonymous', status: 200 }, // public by design
  'GET /registry/:id': { as: 'anonymous', status: 200 }, // public by design (approved organizations only)
  'GET /organizations/new': { as: 'anonymous', status: 200 }, // public by design: self-registration
  'POST /organizations': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /my/organization': { as: 'manager', status: 403 },
  'GET /my/organization/staff': { as: 'admin', status: 403 },
  'POST /my/organization/invitations': { as: 'manager', status: 403 },
  'POST /my/organization/staff/:userId/disabling': { as: 'reviewer', status: 403 },
  'POST /my/organization/invitations/:invitationId/revocation': { as: 'manager', status: 403 },
  'GET /invitations/:token': { as: 'anonymous', status: 404 }, // public by design: an unknown or used link is not found
  'POST /invitations/:token': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /organizations/:id': { as: 'reviewer', status: 403 },
  'GET /organizations/:id/edit': { as: 'admin', status: 403 },
  'POST /organizations/:id': { as: 'manager', status: 403 },
  'POST /organizations/:id/resubmission': { as: 'auditor', status: 403 },
  'POST /organizations/:id/documents': { as: 'manager', status: 403 },
  'GET /organizations/:id/documents/:documentId': { as: 'approver', status: 403 },
  'GET /admin/organizations': { as: 'manager', status: 403 },
  'POST /organizations/:id/approval': { as: 'org_staff', status: 403 },
  'POST /organizations/:id/rejection': { as: 'auditor', status: 403 },
  'POST /organizations/:id/suspension': { as: 'manager', status: 403 },
  'POST /organizations/:id/reinstatement': { as: 'approver', status: 403 },
};
export default refusals;
