import type { SessionUser } from '../accounts/roles';

/** Named checks on (user, street office) for the funds of that street office. Anything not named is refused. */

/** The district administrator writes for any street office; a manager only for their own. */
export function canWriteStreetFunds(user: SessionUser, streetOfficeId: number): boolean {
  return user.role === 'admin' || (user.role === 'manager' && user.streetOfficeId === streetOfficeId);
}

/** Readers: the writers, the street office's own approver, and auditors assigned to it. */
export function canReadStreetFunds(user: SessionUser, streetOfficeId: number): boolean {
  if (canWriteStreetFunds(user, streetOfficeId)) return true;
  if (user.role === 'approver') return user.streetOfficeId === streetOfficeId;
  if (user.role === 'auditor') return user.streetOfficeIds.includes(streetOfficeId);
  return false;
}

/** The street offices whose funds the user may list: null means all of them (the administrator). */
export function readableStreetIds(user: SessionUser): number[] | null {
  if (user.role === 'admin') return null;
  if (user.role === 'auditor') return user.streetOfficeIds;
  if ((user.role === 'manager' || user.role === 'approver') && user.streetOfficeId) return [user.streetOfficeId];
  return [];
}
