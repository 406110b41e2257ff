import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { listRoutes } from '../helpers/routes';
import { csrfFrom, loginAs } from '../helpers/http';
import type { Role } from '../../src/modules/accounts/roles';
import { PATH_PARAMS } from './refusals/_params';

/**
 * Every route, with a role that must be refused it. A new route without a row here fails the
 * first test, so no route ships without a refusal test. Module tests check refusals in depth;
 * this table is the floor.
 */
type Refusal = { as: Role | 'anonymous'; status: number };

/** Each module keeps its rows in test/web/refusals/<module>.ts (export default a Record). */
function loadRefusals(): Record<string, Refusal> {
  const dir = path.join(__dirname, 'refusals');
  const all: Record<string, Refusal> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.startsWith('_'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Object.assign(all, require(path.join(dir, file)).default);
  }
  return all;
}
const REFUSED = loadRefusals();

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
    const url = pattern.replace(/:(\w+)/g, (_m, name: string) =>
      name === 'id' ? String(org.id) : (PATH_PARAMS[name] ?? '1'),
    );
    const agent = refusal.as === 'anonymous' ? request.agent(ctx.app) : (await loginAs(ctx, refusal.as)).agent;
    // A refused POST carries a valid CSRF token (so the refusal is the policy's), except where the
    // missing token is the refusal being tested. The token is fetched before the request is built.
    const forged = refusal.as === 'anonymous' && refusal.status === 403;
    const token =
      method === 'POST' && !forged
        ? await csrfFrom(agent, refusal.as === 'anonymous' ? '/login' : '/dashboard')
        : 'forged';
    const res = method === 'GET' ? await agent.get(url) : await agent.post(url).type('form').send({ _csrf: token });
    expect(res.status).toBe(refusal.status);
  });
});
