/** What other modules may use of organizations: one organization, the options for a select, a
 *  dashboard summary, and whether an organization may bid. The routes are mounted by src/app.ts. */
export { findOrganization, listOrganizationOptions, organizationSummary, type OrganizationRow } from './queries';
export { canBid } from './policy';
