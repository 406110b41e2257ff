/** The roles of Streetfund (product.md, "Who uses it"). One role per account. */
export const ROLES = ['org_staff', 'manager', 'approver', 'reviewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Roles that belong to one street office, and the one that belongs to an organization. */
export const STREET_ROLES: readonly Role[] = ['manager', 'approver'];
export const ORGANIZATION_ROLES: readonly Role[] = ['org_staff'];

/** The roles that move money or see everything: they enrol a second factor (required in production). */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['manager', 'approver', 'auditor', 'admin'];

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
  /** Set by an administrator's password reset: the user must choose a new password before anything else. */
  mustChangePassword?: boolean;
  /** A confirmed TOTP second factor exists. */
  secondFactorEnrolled?: boolean;
  /** An auditor assigned "the whole district": every street office, also those created later. */
  wholeDistrict?: boolean;
}
