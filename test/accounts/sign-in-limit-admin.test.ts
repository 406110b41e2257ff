import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm } from '../helpers/http';
import { TEST_PASSWORD } from '../helpers/factories';
import { ROLES } from '../../src/modules/accounts/roles';

/** Issue 7, item 12: the district administrator sees and clears an account's sign-in limit, audited. */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({
    signIn: { perAccount: 2, perAddress: 1000, windowMinutes: 15, firstDelaySeconds: 60 },
  });
});
afterAll(() => ctx.close());

async function attempt(username: string, password: string) {
  const agent = request.agent(ctx.app);
  const token = await csrfFrom(agent);
  return agent.post('/login').type('form').send({ _csrf: token, username, password });
}

async function slowedUser() {
  const user = await ctx.make.user('approver');
  for (let i = 0; i < 2; i++) expect((await attempt(user.username, 'wrong password')).status).toBe(401);
  expect((await attempt(user.username, TEST_PASSWORD)).status).toBe(429);
  return user;
}

it('shows the administrator the attempts and the next allowed time, and clears them, audited', async () => {
  const user = await slowedUser();
  const { agent: admin } = await loginAs(ctx, 'admin');
  expect((await admin.get('/admin/users')).text).toContain(`href="/admin/users/${user.id}/sign-in-limit"`);
  const page = await admin.get(`/admin/users/${user.id}/sign-in-limit`);
  expect(page.status).toBe(200);
  expect(page.text).toContain(`${user.username} 的登录限制`);
  expect(page.text).toMatch(/尚未清零的尝试次数<\/dt><dd>2</);
  // 10:00 Beijing time plus the 60 s wait.
  expect(page.text).toContain('2026-11-25 10:01');

  const res = await postForm(
    admin,
    `/admin/users/${user.id}/sign-in-limit/clear`,
    {},
    `/admin/users/${user.id}/sign-in-limit`,
  );
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(`/admin/users/${user.id}/sign-in-limit`);
  const after = await admin.get(res.headers.location);
  expect(after.text).toContain(`已清除 ${user.username} 的登录限制。`);
  expect(after.text).toContain('该账号目前没有登录限制。');

  const event = await ctx.db('audit_events').where({ action: 'user.sign_in_limit_clear', subject_id: user.id }).first();
  expect(event).toBeDefined();
  expect(JSON.parse(event.before_json)).toMatchObject({ attempts: 2 });
  // The owner signs in at once.
  expect((await attempt(user.username, TEST_PASSWORD)).status).toBe(303);
});

it('says there is nothing to clear (409), writing no audit event', async () => {
  const user = await ctx.make.user('reviewer');
  const { agent: admin } = await loginAs(ctx, 'admin');
  const before = await ctx.db('audit_events').where({ action: 'user.sign_in_limit_clear' }).count({ n: '*' }).first();
  const res = await postForm(admin, `/admin/users/${user.id}/sign-in-limit/clear`, {}, '/admin/users');
  expect(res.status).toBe(409);
  expect(res.text).toContain('该账号没有需要清除的登录限制。');
  expect(await ctx.db('audit_events').where({ action: 'user.sign_in_limit_clear' }).count({ n: '*' }).first()).toEqual(
    before,
  );
  expect((await admin.get('/admin/users/999999/sign-in-limit')).status).toBe(404);
});

describe.each(ROLES.filter((r) => r !== 'admin'))('a %s', (role) => {
  it('is refused the page and the clearing (403), and the limit stays', async () => {
    const user = await slowedUser();
    const { agent } = await loginAs(ctx, role);
    expect((await agent.get(`/admin/users/${user.id}/sign-in-limit`)).status).toBe(403);
    const res = await postForm(agent, `/admin/users/${user.id}/sign-in-limit/clear`, {});
    expect(res.status).toBe(403);
    expect((await attempt(user.username, TEST_PASSWORD)).status).toBe(429);
  });
});

it('sends an anonymous visitor to sign in, and refuses an anonymous clearing', async () => {
  const user = await slowedUser();
  expect((await request(ctx.app).get(`/admin/users/${user.id}/sign-in-limit`)).status).toBe(303);
  const agent = request.agent(ctx.app);
  const token = await csrfFrom(agent);
  expect(
    (await agent.post(`/admin/users/${user.id}/sign-in-limit/clear`).type('form').send({ _csrf: token })).status,
  ).toBe(401);
  expect((await attempt(user.username, TEST_PASSWORD)).status).toBe(429);
});
