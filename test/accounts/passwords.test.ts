import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm, signIn } from '../helpers/http';
import { TEST_PASSWORD } from '../helpers/factories';
import * as passwordWork from '../../src/modules/accounts/passwords';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const NEW = 'a walk along the grand canal';
const hashOf = async (id: number) => (await ctx.db('users').where({ id }).first()).password_hash as string;
const events = (action: string, userId: number) => ctx.db('audit_events').where({ action, subject_id: String(userId) });
const change = (agent: request.Agent, fields: Record<string, string>) =>
  postForm(agent, '/account/password', fields, '/account/password');

describe('changing one\u2019s own password (303)', () => {
  it.each(['org_staff', 'reviewer', 'manager', 'admin'] as const)(
    'lets a %s change it, signing out their other sessions only',
    async (role) => {
      const { agent, user } = await loginAs(ctx, role);
      const otherSession = await signIn(ctx, user.username);
      const { agent: someoneElse } = await loginAs(ctx, 'manager');
      const res = await change(agent, { currentPassword: TEST_PASSWORD, newPassword: NEW, confirmPassword: NEW });
      expect(res.status).toBe(303);
      expect((await agent.get('/dashboard')).status).toBe(200);
      expect((await otherSession.get('/dashboard')).status).toBe(303);
      expect((await someoneElse.get('/dashboard')).status).toBe(200);
      await signIn(ctx, user.username, NEW);
      await expect(signIn(ctx, user.username, TEST_PASSWORD)).rejects.toThrow(/401/);
      const [event] = await events('user.password_change', user.id);
      expect(JSON.parse(event.after_json)).toEqual({ forced: false, other_sessions_ended: 1 });
      expect(event.after_json).not.toContain(NEW);
    },
  );

  it('changes only the signed-in user\u2019s password, whatever the form says', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    const victim = await ctx.make.user('org_staff');
    const res = await change(agent, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW,
      confirmPassword: NEW,
      id: String(victim.id),
      userId: String(victim.id),
    });
    expect(res.status).toBe(303);
    expect(await hashOf(victim.id)).toBe(victim.password_hash);
    expect(await hashOf(user.id)).not.toBe(victim.password_hash);
  });
});

describe('bad input to the password change (422), nothing written', () => {
  it.each([
    [
      'a wrong current password',
      { currentPassword: 'not my password', newPassword: NEW, confirmPassword: NEW },
      'currentPassword',
      '当前密码不正确',
    ],
    [
      'a new password under 12 characters',
      { currentPassword: TEST_PASSWORD, newPassword: 'short pass', confirmPassword: 'short pass' },
      'newPassword',
      '密码至少需要 12 个字符',
    ],
    [
      'a common password, in any case',
      { currentPassword: TEST_PASSWORD, newPassword: 'QWERTY123456', confirmPassword: 'QWERTY123456' },
      'newPassword',
      '此密码过于常见',
    ],
    [
      'the demo password',
      { currentPassword: TEST_PASSWORD, newPassword: 'streetfund-demo', confirmPassword: 'streetfund-demo' },
      'newPassword',
      '此密码过于常见',
    ],
    [
      'two different new passwords',
      { currentPassword: TEST_PASSWORD, newPassword: NEW, confirmPassword: NEW + '!' },
      'confirmPassword',
      '两次输入的新密码不一致',
    ],
    ['nothing at all', {}, 'currentPassword', '必填'],
  ])('refuses %s', async (_name, fields, field, message) => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const res = await change(agent, fields as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="error-${field}"`);
    expect(res.text).toContain(message);
    expect(res.text).not.toContain(NEW); // passwords are never echoed back
    expect(await hashOf(user.id)).toBe(user.password_hash);
    expect(await events('user.password_change', user.id)).toHaveLength(0);
  });

  it('refuses the same password as the new one', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    await change(agent, { currentPassword: TEST_PASSWORD, newPassword: NEW, confirmPassword: NEW });
    const res = await change(agent, { currentPassword: NEW, newPassword: NEW, confirmPassword: NEW });
    expect(res.status).toBe(422);
    expect(res.text).toContain('新密码不能与当前密码相同');
    expect(await events('user.password_change', user.id)).toHaveLength(1);
  });

  it('answers in English for an English reader', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const token = await csrfFrom(agent, '/account/password');
    const res = await agent.post('/account/password').set('Cookie', 'sf.lang=en').type('form').send({
      _csrf: token,
      currentPassword: TEST_PASSWORD,
      newPassword: 'password1234',
      confirmPassword: 'password1234',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('This password is too common');
  });

  it('ends the session after five wrong current passwords', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    for (let i = 0; i < 4; i++)
      expect(
        (await change(agent, { currentPassword: `guess ${i}`, newPassword: NEW, confirmPassword: NEW })).status,
      ).toBe(422);
    const last = await change(agent, { currentPassword: 'guess 5', newPassword: NEW, confirmPassword: NEW });
    expect(last.status).toBe(303);
    expect((await agent.get('/dashboard')).status).toBe(303);
  });

  it('refuses the form without a CSRF token or without signing in', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    expect(
      (
        await agent
          .post('/account/password')
          .type('form')
          .send({ currentPassword: TEST_PASSWORD, newPassword: NEW, confirmPassword: NEW })
      ).status,
    ).toBe(403);
    expect(await hashOf(user.id)).toBe(user.password_hash);
    const anonymous = request.agent(ctx.app);
    expect((await anonymous.get('/account/password')).headers.location).toBe('/login?next=%2Faccount%2Fpassword');
  });
});

describe('the administrator resets a password', () => {
  it('shows a temporary password once, ends the user\u2019s sessions, and makes them choose their own', async () => {
    const { agent: admin } = await loginAs(ctx, 'admin');
    const { agent: old, user } = await loginAs(ctx, 'approver');
    const res = await postForm(admin, `/admin/users/${user.id}/password-reset`, {});
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const temporary = /<code class="secret">([0-9A-Z-]{19})<\/code>/.exec(res.text)![1];
    expect((await old.get('/dashboard')).status).toBe(303);
    const [event] = await events('user.password_reset', user.id);
    expect(event.after_json).not.toContain(temporary);
    expect((await ctx.db('users').where({ id: user.id }).first()).must_change_password).toBeTruthy();
    expect((await admin.get(`/admin/users/${user.id}/edit`)).text).toContain('该用户下次登录时必须修改密码');

    const agent = await signIn(ctx, user.username, temporary);
    for (const path of ['/dashboard', '/funds', '/notifications'])
      expect((await agent.get(path)).headers.location).toBe('/account/password');
    const page = await agent.get('/account/password');
    expect(page.text).toContain('您的密码由管理员设置');
    expect((await postForm(agent, '/notifications/1', {}, '/account/password')).status).toBe(403);
    expect((await change(agent, { currentPassword: temporary, newPassword: NEW, confirmPassword: NEW })).status).toBe(
      303,
    );
    expect((await agent.get('/dashboard')).status).toBe(200);
    const [changed] = await events('user.password_change', user.id);
    expect(JSON.parse(changed.after_json).forced).toBe(true);
    await expect(signIn(ctx, user.username, temporary)).rejects.toThrow(/401/);
  });

  it('refuses resetting one\u2019s own password (409) and an unknown user (404)', async () => {
    const { agent: admin, user } = await loginAs(ctx, 'admin');
    expect((await postForm(admin, `/admin/users/${user.id}/password-reset`, {})).status).toBe(409);
    expect((await postForm(admin, '/admin/users/999999/password-reset', {})).status).toBe(404);
    expect(await hashOf(user.id)).toBe(user.password_hash);
  });

  it('is refused to other roles (403), writing nothing', async () => {
    const victim = await ctx.make.user('manager');
    for (const role of ['manager', 'approver', 'auditor', 'org_staff', 'reviewer'] as const) {
      const { agent } = await loginAs(ctx, role);
      expect((await postForm(agent, `/admin/users/${victim.id}/password-reset`, {})).status).toBe(403);
    }
    expect(await hashOf(victim.id)).toBe(victim.password_hash);
  });
});

describe('races', () => {
  it('runs at most the sign-in allowance of current-password checks however many posts arrive at once, then asks to wait (429)', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    const token = await csrfFrom(agent, '/account/password');
    const checks = jest.spyOn(passwordWork, 'verifyPassword');
    try {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          agent
            .post('/account/password')
            .type('form')
            .send({ _csrf: token, currentPassword: `guess ${i}`, newPassword: NEW, confirmPassword: NEW }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(checks.mock.calls.length).toBeLessThanOrEqual(ctx.config.signIn.perAccount);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(12 - ctx.config.signIn.perAccount);
      expect(statuses.every((s) => [422, 429, 303].includes(s))).toBe(true);
      expect(answers.find((a) => a.status === 429)!.text).toContain('请于北京时间');
    } finally {
      checks.mockRestore();
    }
    expect(await hashOf(user.id)).toBe(user.password_hash);
  });

  it('lets only one of two simultaneous changes with the same current password through', async () => {
    const { agent: a, user } = await loginAs(ctx, 'manager');
    const b = await signIn(ctx, user.username);
    const [ta, tb] = [await csrfFrom(a, '/account/password'), await csrfFrom(b, '/account/password')];
    const answers = await Promise.all([
      a
        .post('/account/password')
        .type('form')
        .send({ _csrf: ta, currentPassword: TEST_PASSWORD, newPassword: NEW, confirmPassword: NEW }),
      b
        .post('/account/password')
        .type('form')
        .send({ _csrf: tb, currentPassword: TEST_PASSWORD, newPassword: NEW + ' two', confirmPassword: NEW + ' two' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(await events('user.password_change', user.id)).toHaveLength(1);
  });
});
