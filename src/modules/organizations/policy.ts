import type { SessionUser } from '../accounts/roles';
import type { OrganizationRow } from './queries';

/** Named checks on (user, organization). Anything not named here is refused. */
export const isStaffOf = (user: SessionUser, org: Pick<OrganizationRow, 'id'>) => user.role === 'org_staff' && user.organizationId === org.id;

/** The profile and qualification documents: the organization's own staff, the district administrator,
 *  auditors, and street-office managers who need to check who may bid. */
export function canViewOrganization(user: SessionUser, org: Pick<OrganizationRow, 'id'>): boolean {
  return isStaffOf(user, org) || user.role === 'admin' || user.role === 'auditor' || user.role === 'manager';
}

/** Only the organization's own staff upload its documents, and not while it is suspended. */
export function canUploadDocument(user: SessionUser, org: Pick<OrganizationRow, 'id' | 'status'>): boolean {
  return isStaffOf(user, org) && org.status !== 'suspended';
}
