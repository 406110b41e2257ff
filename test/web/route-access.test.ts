import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { listRoutes } from '../helpers/routes';
import { csrfFrom, loginAs } from '../helpers/http';
import type { Role } from '../../src/modules/accounts/roles';

/**
 * Every route, with a role that must be refused it. A new route without a row here fails the
 * first test, so no route ships without a refusal test. Module tests check refusals in depth;
 * this table is the floor.
 */
type Refusal = { as: Role | 'anonymous'; status: number };
const REFUSED: Record<string, Refusal> = {
  'GET /': { as: 'anonymous', status: 303 }, // public, but only a redirect to sign in
  'GET /login': { as: 'anonymous', status: 200 }, // public by design
  'POST /login': { as: 'anonymous', status: 403 }, // without CSRF token
  'POST /language': { as: 'anonymous', status: 403 }, // without CSRF token
  'GET /healthz': { as: 'anonymous', status: 200 }, // public by design, no data
  'POST /logout': { as: 'anonymous', status: 401 },
  'GET /dashboard': { as: 'anonymous', status: 303 },
  'GET /admin/users': { as: 'manager', status: 403 },
  'GET /admin/users/new': { as: 'auditor', status: 403 },
  'POST /admin/users': { as: 'approver', status: 403 },
  'GET /admin/users/:id/edit': { as: 'org_staff', status: 403 },
  'POST /admin/users/:id': { as: 'reviewer', status: 403 },
  'POST /admin/users/:id/disable': { as: 'manager', status: 403 },
  'POST /admin/users/:id/enable': { as: 'auditor', status: 403 },
  'GET /admin/street-offices': { as: 'manager', status: 403 },
  'POST /admin/street-offices': { as: 'approver', status: 403 },
  'GET /admin/street-offices/:id/edit': { as: 'auditor', status: 403 },
  'POST /admin/street-offices/:id': { as: 'org_staff', status: 403 },
  'GET /my/organization': { as: 'manager', status: 403 },
  'GET /organizations/:id': { as: 'reviewer', status: 403 },
  'POST /organizations/:id/documents': { as: 'manager', status: 403 },
  'GET /organizations/:id/documents/:documentId': { as: 'approver', status: 403 },
  'GET /audit': { as: 'manager', status: 403 },
  'GET /audit/verify': { as: 'org_staff', status: 403 },
  'GET /audit/:id': { as: 'reviewer', status: 403 },
};

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

it('has a refusal row for every route the app serves', () => {
  expect(listRoutes(ctx.app)).toEqual(Object.keys(REFUSED).sort());
});

describe.each(Object.entries(REFUSED))('%s', (route, refusal) => {
  it(`is refused to ${refusal.as} with ${refusal.status}`, async () => {
    const [method, pattern] = route.split(' ');
    const org = await ctx.make.organization();
    const path = pattern.replace(':id', String(org.id)).replace(':documentId', '1');
    const agent = refusal.as === 'anonymous' ? request.agent(ctx.app) : (await loginAs(ctx, refusal.as)).agent;
    // A refused POST carries a valid CSRF token (so the refusal is the policy's), except where the
    // missing token is the refusal being tested. The token is fetched before the request is built.
    const forged = refusal.as === 'anonymous' && refusal.status === 403;
    const token = method === 'POST' && !forged ? await csrfFrom(agent, refusal.as === 'anonymous' ? '/login' : '/dashboard') : 'forged';
    const res = method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ _csrf: token });
    expect(res.status).toBe(refusal.status);
  });
});
