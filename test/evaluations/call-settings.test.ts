import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';
import { callForm, streetWithMoney } from '../calls/helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

it('the review period (default 5 days) and the minimum citizen ratings (default 10) are call settings: kept, shown, refused out of range', async () => {
  const { agent, user } = await loginAs(ctx, 'manager');
  const item = await streetWithMoney(ctx, user.street_office_id!, 100_000_000);
  const form = (await agent.get('/calls/new')).text;
  expect(form).toContain('name="reviewDays" type="text" value="5"');
  expect(form).toContain('name="citizenMinRatings" type="text" value="10"');
  for (const [fields, message] of [
    [{ reviewDays: '0' }, '复核申请期限应为 1 到 30 之间的整数'],
    [{ reviewDays: '3.5' }, '复核申请期限应为 1 到 30 之间的整数'],
    [{ citizenMinRatings: '1001' }, '群众评价最少人数应为 1 到 1000 之间的整数'],
  ] as const) {
    const bad = await postForm(agent, '/calls', callForm(item.id, fields), '/calls/new');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(message);
    expect(bad.text).toContain(`value="${Object.values(fields)[0]}"`);
  }
  expect(await ctx.db('calls')).toHaveLength(0);
  const ok = await postForm(
    agent,
    '/calls',
    callForm(item.id, { reviewDays: '7', citizenMinRatings: '12' }),
    '/calls/new',
  );
  expect(ok.status).toBe(303);
  const id = Number(/\/calls\/(\d+)$/.exec(ok.headers.location)![1]);
  expect(await ctx.db('calls').where({ id }).first()).toMatchObject({ review_days: 7, citizen_min_ratings: 12 });
  const page = (await agent.get(`/calls/${id}`)).text;
  expect(page).toContain('复核申请期限（天）');
  expect(page).toContain('群众评价最少人数');
  // Blank keeps the defaults; the database has the last word.
  const blank = await postForm(
    agent,
    '/calls',
    callForm(item.id, { reviewDays: '', citizenMinRatings: '' }),
    '/calls/new',
  );
  const blankId = Number(/\/calls\/(\d+)$/.exec(blank.headers.location)![1]);
  expect(await ctx.db('calls').where({ id: blankId }).first()).toMatchObject({
    review_days: 5,
    citizen_min_ratings: 10,
  });
  await expect(ctx.db('calls').where({ id }).update({ review_days: 0 })).rejects.toThrow();
  await expect(ctx.db('calls').where({ id }).update({ citizen_min_ratings: 0 })).rejects.toThrow();
});
