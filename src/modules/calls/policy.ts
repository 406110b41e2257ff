import type { SessionUser } from '../accounts/roles';
import type { CallRow } from './queries';

/** "closed" is derived: a published call whose deadline the server clock has reached. */
export function effectiveStatus(call: Pick<CallRow, 'status' | 'closes_at'>, now: Date): string {
  if (call.status === 'published' && now.toISOString() >= call.closes_at) return 'closed';
  return call.status;
}

export const isOpen = (call: Pick<CallRow, 'status' | 'closes_at'>, now: Date) =>
  effectiveStatus(call, now) === 'published';

/** A draft is seen only by the managers of its street office and the district administrator; every
 *  other state is public. */
export function canSeeCall(user: SessionUser | undefined, call: Pick<CallRow, 'status' | 'street_office_id'>): boolean {
  if (call.status !== 'draft') return true;
  if (!user) return false;
  return user.role === 'admin' || (user.role === 'manager' && user.streetOfficeId === call.street_office_id);
}

/** Drafting, publishing, amending and cancelling: only a manager of the call's own street office. */
export function canManageCall(user: SessionUser | undefined, call: Pick<CallRow, 'street_office_id'>): boolean {
  return (
    !!user && user.role === 'manager' && user.streetOfficeId !== null && user.streetOfficeId === call.street_office_id
  );
}
