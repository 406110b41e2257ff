import type { SessionUser } from '../accounts/roles';

/** The record every check here looks at: a payment's (or proposal's, or milestone's) street office
 *  and organization. */
export interface PaymentScope {
  street_office_id: number;
  organization_id: number;
}

/** Reading a street's proposals and payments (with names and vouchers): its managers and approvers,
 *  auditors of that street, the district administrator. */
export function canReadPayments(user: SessionUser | undefined, p: PaymentScope): boolean {
  if (!user) return false;
  if ((user.role === 'manager' || user.role === 'approver') && user.streetOfficeId === p.street_office_id) return true;
  if (user.role === 'auditor') return user.streetOfficeIds.includes(p.street_office_id);
  return user.role === 'admin';
}

/** The organization's own view of its payments (milestone, amount, score, date; no officers' names). */
export const isPayee = (user: SessionUser | undefined, p: Pick<PaymentScope, 'organization_id'>) =>
  !!user && user.role === 'org_staff' && user.organizationId === p.organization_id;

/** Proposing a payment, a withheld settlement or a reversal; deciding after a withheld milestone:
 *  a manager of the street office. */
export const canPropose = (user: SessionUser | undefined, p: Pick<PaymentScope, 'street_office_id'>) =>
  !!user && user.role === 'manager' && user.streetOfficeId === p.street_office_id;

/** Approving or rejecting, and recording the voucher: an approver of the street office. Whether this
 *  approver may decide this proposal (never their own) is checked on the user id, see isProposer. */
export const canApprove = (user: SessionUser | undefined, p: Pick<PaymentScope, 'street_office_id'>) =>
  !!user && user.role === 'approver' && user.streetOfficeId === p.street_office_id;

/** Four eyes: the user who proposed, whatever their role is now. */
export const isProposer = (user: SessionUser | undefined, p: { proposed_by: number }) =>
  !!user && user.id === p.proposed_by;

/** The invoice or receipt: the contract's organization's staff upload it. */
export const canUploadInvoice = isPayee;
