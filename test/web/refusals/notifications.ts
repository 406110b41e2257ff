import type { Role } from '../../../src/modules/accounts/roles';

/** Notifications: every signed-in user has their own; nobody reaches another's (404, as if it did not exist). */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /notifications': { as: 'anonymous', status: 303 }, // to sign in
  'POST /notifications/read-all': { as: 'anonymous', status: 401 },
  'POST /notifications/:id/read': { as: 'org_staff', status: 404 }, // not their notification
};
export default refusals;
