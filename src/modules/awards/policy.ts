import type { SessionUser } from '../accounts/roles';
import { canManageCall } from '../calls';

/** Named checks of the awards module. The call's street office decides who manages its award. */
interface CallScope {
  street_office_id: number;
}

/** Proposing, answering objections and confirming: a manager of the call's own street office. */
export const canManageAward = (user: SessionUser | undefined, call: CallScope) => canManageCall(user, call);

/** An objection with its attachments: its own organization's staff, the managers of the call's
 *  street office, the district administrator and auditors assigned to that street. The public sees
 *  only the reasons and the answer, once answered, on the award page. */
export function canReadObjection(user: SessionUser, objection: { organization_id: number }, call: CallScope): boolean {
  if (user.role === 'org_staff') return user.organizationId === objection.organization_id;
  if (user.role === 'admin') return true;
  if (user.role === 'auditor') return user.streetOfficeIds.includes(call.street_office_id);
  return canManageAward(user, call);
}

/** Why this user may not lodge an objection now (an i18n key and its status), or null if they may:
 *  only staff of an organization that submitted a bid on the call, while the award is proposed and
 *  the publicity period has not ended (the server clock decides, to the millisecond). */
export function objectionRefusal(
  user: SessionUser,
  award: { status: string; publicity_ends_at: string },
  bidderIds: number[],
  now: Date,
): { status: 403 | 409; key: string } | null {
  if (user.role !== 'org_staff' || !user.organizationId || !bidderIds.includes(user.organizationId))
    return { status: 403, key: 'awards.errors.onlyBidders' };
  if (award.status !== 'proposed') return { status: 409, key: 'awards.errors.notInPublicity' };
  if (now.toISOString() >= award.publicity_ends_at) return { status: 409, key: 'awards.errors.publicityEnded' };
  return null;
}
