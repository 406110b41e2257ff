import type { SessionUser } from '../accounts/roles';
import type { OrganizationRow } from './queries';

type Org = Pick<OrganizationRow, 'id' | 'status'>;

/** Named checks on (user, organization). Anything not named here is refused. */
export const isStaffOf = (user: SessionUser, org: Pick<OrganizationRow, 'id'>) =>
  user.role === 'org_staff' && user.organizationId === org.id;

/** Only an approved organization may bid or submit venture proposals (used by the bids module). */
export function canBid(org: Pick<OrganizationRow, 'status'>): boolean {
  return org.status === 'approved';
}

/** The public registry and public profile show approved organizations only. */
export function isPubliclyListed(org: Pick<OrganizationRow, 'status'>): boolean {
  return org.status === 'approved';
}

/** The full profile (contacts) and qualification documents: the organization's own staff, the
 *  district administrator, auditors, and street-office managers who check who may bid; managers see
 *  organizations that are or were qualified (approved, suspended), not applicants under review. */
export function canViewOrganization(user: SessionUser, org: Org): boolean {
  if (user.role === 'manager') return org.status === 'approved' || org.status === 'suspended';
  return isStaffOf(user, org) || user.role === 'admin' || user.role === 'auditor';
}

/** Only the organization's own staff upload its documents, and not while it is suspended. */
export function canUploadDocument(user: SessionUser, org: Org): boolean {
  return isStaffOf(user, org) && org.status !== 'suspended';
}

/** Staff keep their profile while it is under review, approved, or rejected (to fix it before
 *  resubmitting); a suspended organization's profile is frozen until it is reinstated. */
export function canEditProfile(user: SessionUser, org: Org): boolean {
  return isStaffOf(user, org) && org.status !== 'suspended';
}

/** A rejected organization's staff may ask for a new review after fixing what the reason named. */
export function canResubmit(user: SessionUser, org: Org): boolean {
  return isStaffOf(user, org) && org.status === 'rejected';
}

/** Review decisions are the district administrator's. */
export const canReview = (user: SessionUser) => user.role === 'admin';

/** Which decisions are possible from a status (the service enforces them with a conditional update). */
export const TRANSITIONS = {
  approve: { from: 'pending', to: 'approved' },
  reject: { from: 'pending', to: 'rejected' },
  suspend: { from: 'approved', to: 'suspended' },
  reinstate: { from: 'suspended', to: 'approved' },
  resubmit: { from: 'rejected', to: 'pending' },
} as const;
export type Decision = keyof typeof TRANSITIONS;
