import type { SessionUser } from '../accounts/roles';
import { canManageContract, canReadContract } from '../contracts';

/** The record every check here looks at: a milestone with its contract's parties and status. */
export interface MilestoneScope {
  street_office_id: number;
  organization_id: number;
  contract_status: string;
  sent_at: string | null;
}

const asContract = (m: MilestoneScope) => ({
  street_office_id: m.street_office_id,
  organization_id: m.organization_id,
  status: m.contract_status,
  sent_at: m.sent_at,
});

/** Reading a milestone's reports and evidence: whoever reads the contract once it is signed (the
 *  organization's staff, the street's managers, the street's auditors, the administrator). Reports
 *  exist only for signed contracts, so a draft contract's milestones have none to read. */
export function canReadReports(user: SessionUser | undefined, m: MilestoneScope): boolean {
  return ['active', 'completed', 'terminated'].includes(m.contract_status) && canReadContract(user, asContract(m));
}

/** Writing the report: the contract's organization's staff. (Whether now: the contract is active.) */
export const canWriteReport = (user: SessionUser | undefined, m: MilestoneScope) =>
  !!user && user.role === 'org_staff' && user.organizationId === m.organization_id;

/** Returning a submitted report for correction: a manager of the contract's street office. */
export const canReturnReport = (user: SessionUser | undefined, m: MilestoneScope) =>
  canManageContract(user, { street_office_id: m.street_office_id });
