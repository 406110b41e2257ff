import type { Role } from '../modules/accounts/roles';

/**
 * The main navigation. `for`: the roles that see the link, or 'everyone' (signed in or not),
 * or 'anonymous' (only before sign-in). Each module adds its own lines here.
 */
export interface NavItem {
  href: string;
  labelKey: string;
  for: readonly Role[] | 'everyone' | 'anonymous';
  /** Roles that reach the same place through a link of their own (a manager's 本街道公告 holds the
   *  calls, the award desk holds the award notices): one link per place, never two look-alikes. */
  hiddenFor?: readonly Role[];
}

/** The signed-in roles that work behind the public pages: the public lists are in their footer (PUBLIC_NAV), not
 *  among their few places of work in the header. Organization staff use the calls and award notices to bid. */
const STAFF: readonly Role[] = ['manager', 'approver', 'reviewer', 'auditor', 'admin'];
const SIGNED_IN: readonly Role[] = ['org_staff', ...STAFF];

export const NAV: NavItem[] = [
  {
    href: '/dashboard',
    labelKey: 'nav.dashboard',
    for: ['org_staff', 'manager', 'approver', 'reviewer', 'auditor', 'admin'],
  },
  { href: '/admin/users', labelKey: 'nav.users', for: ['admin'] },
  { href: '/admin/street-offices', labelKey: 'nav.streets', for: ['admin'] },
  { href: '/my/organization', labelKey: 'nav.myOrganization', for: ['org_staff'] },
  { href: '/my/bids', labelKey: 'bids.mine.title', for: ['org_staff'] },
  { href: '/audit', labelKey: 'nav.audit', for: ['admin', 'auditor'] },
  { href: '/funds', labelKey: 'nav.funds', for: ['manager', 'admin', 'auditor'] },
  { href: '/reviews', labelKey: 'reviews.nav', for: ['manager', 'reviewer', 'admin', 'auditor'] },
  { href: '/catalog', labelKey: 'nav.catalog', for: 'everyone', hiddenFor: ['approver', 'reviewer', 'auditor'] },
  { href: '/calls', labelKey: 'nav.calls', for: 'everyone', hiddenFor: STAFF },
  { href: '/awards', labelKey: 'awards.nav', for: 'everyone', hiddenFor: STAFF },
  { href: '/manage/awards', labelKey: 'awards.desk.nav', for: ['manager'] },
  { href: '/contracts', labelKey: 'contracts.nav', for: ['manager', 'auditor', 'admin'] },
  { href: '/my/contracts', labelKey: 'contracts.navMine', for: ['org_staff'] },
  { href: '/reports', labelKey: 'nav.reports', for: ['auditor', 'manager', 'admin'] },
  // The approver's queue of payments to decide is their dashboard (and linked from it): one place, not 待审批拨付
  // beside 拨付 in the header.
  { href: '/payments', labelKey: 'payments.nav', for: ['manager', 'approver', 'auditor', 'admin'] },
  { href: '/my/payments', labelKey: 'payments.navMine', for: ['org_staff'] },
  { href: '/my/calls', labelKey: 'nav.myCalls', for: ['manager'] },
  { href: '/admin/organizations', labelKey: 'nav.organizationReview', for: ['admin'] },
  { href: '/registry', labelKey: 'nav.registry', for: 'everyone', hiddenFor: SIGNED_IN },
  { href: '/public', labelKey: 'disclosure.nav', for: 'everyone', hiddenFor: SIGNED_IN },
  { href: '/organizations/new', labelKey: 'nav.registerOrganization', for: 'anonymous' },
  { href: '/login', labelKey: 'nav.signIn', for: 'anonymous' },
];

/** The public pages, in every page's footer: where a signed-in user finds what the public reads. */
export const PUBLIC_NAV: NavItem[] = [
  { href: '/catalog', labelKey: 'nav.catalog', for: 'everyone' },
  { href: '/calls', labelKey: 'nav.calls', for: 'everyone' },
  { href: '/awards', labelKey: 'awards.nav', for: 'everyone' },
  { href: '/registry', labelKey: 'nav.registry', for: 'everyone' },
  { href: '/public', labelKey: 'disclosure.nav', for: 'everyone' },
];

export function navFor(role: Role | null): NavItem[] {
  return NAV.filter((item) => {
    if (role !== null && item.hiddenFor?.includes(role)) return false;
    return item.for === 'everyone'
      ? true
      : item.for === 'anonymous'
        ? role === null
        : role !== null && item.for.includes(role);
  });
}
