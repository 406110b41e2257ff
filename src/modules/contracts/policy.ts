import type { SessionUser } from '../accounts/roles';

/** Named checks of the contracts module, on the record. */
interface ContractScope {
  street_office_id: number;
  organization_id: number;
  status: string;
  sent_at: string | null;
}

/** Drafting, sending, signing, amending, terminating: a manager of the contract's own street office. */
export const canManageContract = (user: SessionUser | undefined, c: Pick<ContractScope, 'street_office_id'>) =>
  !!user && user.role === 'manager' && user.streetOfficeId === c.street_office_id;

/** Party B's side: staff of the contract's organization. */
export const isPartyB = (user: SessionUser | undefined, c: Pick<ContractScope, 'organization_id'>) =>
  !!user && user.role === 'org_staff' && user.organizationId === c.organization_id;

/**
 * Reading the contract page and its unredacted documents: its street office's managers, auditors
 * assigned to that street office and the district administrator always; the organization's staff
 * once it has been sent to them (a draft never sent is the manager's alone). Nobody else.
 */
export function canReadContract(user: SessionUser | undefined, c: ContractScope): boolean {
  if (!user) return false;
  if (canManageContract(user, c)) return true;
  if (user.role === 'admin') return true;
  if (user.role === 'auditor') return user.streetOfficeIds.includes(c.street_office_id);
  if (isPartyB(user, c)) return c.status !== 'draft' || c.sent_at !== null;
  return false;
}

/** A signed contract (active or ended) has a public, redacted PDF; a draft has nothing public. */
export const isSigned = (c: Pick<ContractScope, 'status'>) => ['active', 'completed', 'terminated'].includes(c.status);
