/** The roles of Streetfund (product.md, "Who uses it"). One role per account. */
export const ROLES = ['org_staff', 'manager', 'approver', 'reviewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles that belong to one street office, and the one that belongs to an organization. */
export const STREET_ROLES: readonly Role[] = ['manager', 'approver'];
export const ORGANIZATION_ROLES: readonly Role[] = ['org_staff'];

/** The signed-in user as every request sees it (loaded fresh from the database per request, so a
 *  disabled account or a changed role takes effect at once). */
export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  streetOfficeId: number | null;
  streetOfficeName: string | null;
  organizationId: number | null;
  organizationName: string | null;
  /** Street offices the user may read: their own, or an auditor's assigned list. */
  streetOfficeIds: number[];
}
