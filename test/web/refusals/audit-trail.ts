import type { Role } from '../../../src/modules/accounts/roles';

/** The audit trail's routes added after the foundation (whose rows are in foundation.ts). The public
 *  checkpoint pages are open to everyone: their row states the status any visitor gets (200), and
 *  test/audit/public-checkpoints.test.ts checks them in depth. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /public/audit-checkpoints': { as: 'anonymous', status: 200 },
  'GET /public/audit-checkpoints.json': { as: 'anonymous', status: 200 },
  'GET /public/audit-checkpoints/verify': { as: 'anonymous', status: 200 },
  'GET /audit/export.csv': { as: 'manager', status: 403 },
};
export default refusals;
