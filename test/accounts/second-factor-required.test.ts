import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, signIn } from '../helpers/http';
import { enrol, passwordStep, signInWithCode } from '../helpers/second-factor';

/** Production's rule (secondFactor.required), without production's Secure cookies that supertest would not send back. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({
    secondFactor: { required: true, key: 'production-like-test-key-of-40-characters', keyFile: '' },
  });
});
afterAll(() => ctx.close());

describe('where the second factor is required', () => {
  it.each(['manager', 'approver', 'auditor', 'admin'] as const)(
    'keeps a %s who has not enrolled on the enrolment page until they do',
    async (role) => {
      const { agent } = await loginAs(ctx, role);
      for (const path of ['/dashboard', '/notifications', '/audit', '/calls']) {
        const res = await agent.get(path);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/account/second-factor');
      }
      const page = await agent.get('/account/second-factor');
      expect(page.status).toBe(200);
      expect(page.text).toContain('您的角色必须启用两步验证');
      expect(page.text).not.toContain('演示模式');
      await enrol(ctx, agent);
      expect((await agent.get('/dashboard')).status).toBe(200);
    },
  );

  it('refuses an unenrolled administrator\u2019s user changes and writes nothing (403)', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const target = await ctx.make.user('reviewer');
    const res = await postForm(agent, `/admin/users/${target.id}/disable`, {}, '/account/second-factor');
    expect(res.status).toBe(403);
    expect(res.text).toContain('两步验证');
    expect(
      (await postForm(agent, `/admin/users/${target.id}/password-reset`, {}, '/account/second-factor')).status,
    ).toBe(403);
    const after = await ctx.db('users').where({ id: target.id }).first();
    expect(after.disabled_at).toBeNull();
    expect(after.password_hash).toBe(target.password_hash);
  });

  it('signs an enrolled user in only with the code, then lets the administrator act', async () => {
    const { agent: first, user } = await loginAs(ctx, 'admin');
    const { secret } = await enrol(ctx, first);
    const { agent: half } = await passwordStep(ctx, user.username);
    expect((await half.get('/admin/users')).status).toBe(303);
    const { agent } = await signInWithCode(ctx, user.username, { secret });
    const target = await ctx.make.user('reviewer');
    expect((await postForm(agent, `/admin/users/${target.id}/disable`, {})).status).toBe(303);
  });

  it('asks nothing of organization staff and reviewers', async () => {
    for (const role of ['org_staff', 'reviewer'] as const) {
      const user = await ctx.make.user(role);
      const agent = await signIn(ctx, user.username);
      expect((await agent.get('/dashboard')).status).toBe(200);
    }
  });

  it('brings a user whose second factor was reset back to enrolment', async () => {
    const { agent: first, user } = await loginAs(ctx, 'admin');
    const { secret } = await enrol(ctx, first);
    const { agent: admin } = await signInWithCode(ctx, user.username, { secret });
    const { agent: managerAgent, user: manager } = await loginAs(ctx, 'manager');
    await enrol(ctx, managerAgent);
    expect((await postForm(admin, `/admin/users/${manager.id}/second-factor-reset`, {})).status).toBe(303);
    const again = await signIn(ctx, manager.username);
    const res = await again.get('/dashboard');
    expect(res.headers.location).toBe('/account/second-factor');
  });
});
