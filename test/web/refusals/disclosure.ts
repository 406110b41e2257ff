import type { Role } from '../../../src/modules/accounts/roles';

/** Public disclosure and open data: everything is public by design and read-only; the in-depth
 *  tests (no personal, sealed or draft data; bad input) are in test/disclosure/. */
const refusals: Record<string, { as: Role | 'anonymous'; status: number }> = {
  'GET /public': { as: 'anonymous', status: 200 }, // public by design: the district front page
  'GET /public/streets/:streetId/:year': { as: 'anonymous', status: 404 }, // public by design; "1" is no year
  'GET /public/streets/:streetId/:year/charts/:chart': { as: 'anonymous', status: 404 }, // public by design; "1" is no year
  'GET /public/contracts': { as: 'anonymous', status: 200 }, // public by design: signed contracts only
  'GET /public/contracts.csv': { as: 'anonymous', status: 200 }, // public by design
  'GET /public/payments.csv': { as: 'anonymous', status: 200 }, // public by design
  'GET /public/contracts/:contractId': { as: 'anonymous', status: 404 }, // public by design for a signed contract; none here
  'GET /ocds/releases/:file': { as: 'anonymous', status: 422 }, // public by design; "1" is no ocid
  'GET /ocds/records/:file': { as: 'anonymous', status: 422 }, // public by design; "1" is no ocid
  'GET /ocds/packages/:file': { as: 'anonymous', status: 422 }, // public by design; "1" is no street-year
};
export default refusals;
