import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';
import { publishCall } from '../../src/modules/calls/service';
import { InsufficientFunds } from '../../src/modules/funds';
import type { SessionUser } from '../../src/modules/accounts/roles';
import { account, callForm, countOf, streetWithMoney } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

/** Two drafts that each fit the fiscal source, but not together; published at the same moment. */
async function twoDrafts() {
  const { agent, user } = await loginAs(ctx, 'manager');
  const street = user.street_office_id!;
  const item = await streetWithMoney(ctx, street, 100_000_000); // ¥1,000,000
  const ids: number[] = [];
  for (const title of ['并发公告甲', '并发公告乙']) {
    const res = await postForm(agent, '/calls', callForm(item.id, { title, amount_fiscal: '600000' }), '/calls/new');
    expect(res.status).toBe(303);
    ids.push(Number(/\/calls\/(\d+)$/.exec(res.headers.location)![1]));
  }
  const sessionUser: SessionUser = {
    id: user.id,
    username: user.username,
    displayName: 'x',
    role: 'manager',
    streetOfficeId: street,
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: [street],
  };
  return { agent, street, ids, sessionUser };
}

const actor = (userId: number) => ({ userId, label: 'race', role: 'manager', ip: null, requestId: null });

describe(`the fund invariant under concurrent publication (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('lets exactly one of two calls that together exceed a source publish', async () => {
    const { street, ids, sessionUser } = await twoDrafts();
    const results = await Promise.allSettled(ids.map((id) => publishCall(ctx, actor(sessionUser.id), sessionUser, id)));
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(InsufficientFunds);
    expect(rejected[0].reason.source).toBe('fiscal');
    expect(rejected[0].reason.shortfallFen).toBe(20_000_000);
    const statuses = (await ctx.db('calls').whereIn('id', ids).pluck('status')).sort();
    expect(statuses).toEqual(['draft', 'published']);
    const fiscal = await account(ctx, street, 'fiscal');
    expect(fiscal.reserved).toBe(60_000_000);
    expect(fiscal.reserved).toBeLessThanOrEqual(fiscal.allocated);
    expect(await countOf(ctx, 'audit_events', { action: 'call.publish' })).toBe(1);
  });

  it('publishes the same draft only once when asked twice at once (over HTTP)', async () => {
    const { agent, street, ids } = await twoDrafts();
    const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get(`/calls/${ids[0]}`)).text)![1];
    const responses = await Promise.all(
      [1, 2].map(() => agent.post(`/calls/${ids[0]}/publication`).type('form').send({ _csrf: token })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([303, 409]);
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(60_000_000);
    expect(await countOf(ctx, 'fund_entries', { call_id: ids[0], kind: 'reservation' })).toBe(1);
  });
});
