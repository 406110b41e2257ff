import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm, signIn } from '../helpers/http';
import { enrol, passwordStep, phoneCode, secretOnPage, signInWithCode } from '../helpers/second-factor';
import { totpAt } from '../../src/modules/accounts/totp';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext(); // demo mode: the second factor is offered, not required
});
afterAll(() => ctx.close());

const events = (action: string, userId: number) => ctx.db('audit_events').where({ action, subject_id: String(userId) });

describe('enrolling (200/303)', () => {
  it('shows a QR code and the key, stores the secret encrypted, and turns on with a right code', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    expect((await postForm(agent, '/account/second-factor', {}, '/account/second-factor')).status).toBe(303);
    const page = await agent.get('/account/second-factor');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toMatch(
      /<figure class="qr"><svg role="img" aria-label="[^"]+" xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(page.text).not.toMatch(/<script|style=/);
    const secret = secretOnPage(page.text);
    const row = await ctx.db('second_factors').where({ user_id: user.id }).first();
    expect(row.confirmed_at).toBeNull();
    expect(row.secret_encrypted).not.toContain(secret);

    const res = await postForm(
      agent,
      '/account/second-factor/confirm',
      { code: phoneCode(ctx, secret) },
      '/account/second-factor',
    );
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const codes = [...res.text.matchAll(/<li><code>([0-9A-Z-]{14})<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    const stored = await ctx.db('recovery_codes').where({ user_id: user.id });
    expect(stored).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, ''));
    expect((await ctx.db('second_factors').where({ user_id: user.id }).first()).confirmed_at).not.toBeNull();
    expect(await events('auth.second_factor_enrolled', user.id)).toHaveLength(1);
    // Enrolled: the page no longer shows a secret, and a second enrolment is refused.
    expect((await agent.get('/account/second-factor')).text).not.toContain('class="secret"');
    expect((await postForm(agent, '/account/second-factor', {}, '/account/second-factor')).status).toBe(409);
  });

  it('makes new recovery codes that replace the old ones, audited', async () => {
    const { agent, user } = await loginAs(ctx, 'auditor');
    const { codes } = await enrol(ctx, agent);
    const res = await postForm(agent, '/account/second-factor/recovery-codes', {}, '/account/second-factor');
    expect(res.status).toBe(200);
    const fresh = [...res.text.matchAll(/<li><code>([0-9A-Z-]{14})<\/code><\/li>/g)].map((m) => m[1]);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[0]);
    expect(await events('auth.recovery_codes_regenerated', user.id)).toHaveLength(1);
    const { res: old } = await signInWithCode(ctx, user.username, { recoveryCode: codes[0] });
    expect(old.status).toBe(422);
  });
});

describe('bad input while enrolling (422/409)', () => {
  it('refuses a wrong code with a message and turns nothing on', async () => {
    const { agent, user } = await loginAs(ctx, 'approver');
    await postForm(agent, '/account/second-factor', {}, '/account/second-factor');
    const secret = secretOnPage((await agent.get('/account/second-factor')).text);
    const wrong = String((Number(totpAt(secret, ctx.clock.now())) + 1) % 1000000).padStart(6, '0');
    for (const code of [wrong, '', 'abc', '1'.repeat(41)]) {
      const res = await postForm(agent, '/account/second-factor/confirm', { code }, '/account/second-factor');
      expect(res.status).toBe(422);
      expect(res.text).toContain('class="error-summary"');
    }
    const en = await agent
      .post('/account/second-factor/confirm')
      .set('Cookie', 'sf.lang=en')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/account/second-factor'), code: wrong });
    expect(en.status).toBe(422);
    expect(en.text).toContain('This code is not right');
    expect((await ctx.db('second_factors').where({ user_id: user.id }).first()).confirmed_at).toBeNull();
    expect(await ctx.db('recovery_codes').where({ user_id: user.id })).toHaveLength(0);
    expect(await events('auth.second_factor_enrolled', user.id)).toHaveLength(0);
  });

  it('refuses to confirm when no enrolment was started', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    expect(
      (await postForm(agent, '/account/second-factor/confirm', { code: '123456' }, '/account/second-factor')).status,
    ).toBe(409);
  });

  it('refuses the forms without a CSRF token', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    expect((await agent.post('/account/second-factor').type('form').send({})).status).toBe(403);
    expect((await agent.post('/account/second-factor/confirm').type('form').send({ code: '123456' })).status).toBe(403);
    expect(await ctx.db('second_factors').where({ user_id: user.id })).toHaveLength(0);
  });

  it('is not offered to organization staff or reviewers (403)', async () => {
    for (const role of ['org_staff', 'reviewer'] as const) {
      const { agent, user } = await loginAs(ctx, role);
      expect((await agent.get('/account/second-factor')).status).toBe(403);
      expect((await postForm(agent, '/account/second-factor', {})).status).toBe(403);
      expect(await ctx.db('second_factors').where({ user_id: user.id })).toHaveLength(0);
    }
  });
});

describe('signing in with the second factor', () => {
  it('asks an enrolled user for the code after the password, and signs in only with it', async () => {
    const { agent: first, user } = await loginAs(ctx, 'manager');
    const { secret } = await enrol(ctx, first);

    const { agent, res } = await passwordStep(ctx, user.username);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/second-factor');
    // Until the code, nothing is signed in.
    expect((await agent.get('/dashboard')).status).toBe(303);
    expect((await agent.get('/login/second-factor')).status).toBe(200);

    const wrong = await postForm(
      agent,
      '/login/second-factor',
      { code: '000000' === totpAt(secret, ctx.clock.now()) ? '111111' : '000000' },
      '/login/second-factor',
    );
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('验证码不正确');
    expect((await agent.get('/dashboard')).status).toBe(303);
    const failed = await events('auth.second_factor_failed', user.id);
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0].after_json)).toEqual({ purpose: 'sign_in', reason: 'invalid' });

    const code = phoneCode(ctx, secret);
    const ok = await postForm(agent, '/login/second-factor', { code, next: '/evil' }, '/login/second-factor');
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/dashboard');
    expect((await agent.get('/dashboard')).status).toBe(200);
    const used = await events('auth.second_factor_used', user.id);
    expect(JSON.parse(used[0].after_json)).toEqual({ purpose: 'sign_in', method: 'totp' });

    // The same code again (someone watching over a shoulder) is refused.
    const { agent: replay } = await passwordStep(ctx, user.username);
    expect((await postForm(replay, '/login/second-factor', { code }, '/login/second-factor')).status).toBe(422);
  });

  it('takes a recovery code instead, once', async () => {
    const { agent: first, user } = await loginAs(ctx, 'admin');
    const { codes } = await enrol(ctx, first);
    const { agent, res } = await signInWithCode(ctx, user.username, { recoveryCode: codes[3].toLowerCase() });
    expect(res.status).toBe(303);
    const page = await agent.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.text).toContain('还剩 9 个');
    expect(JSON.parse((await events('auth.second_factor_used', user.id))[0].after_json)).toMatchObject({
      method: 'recovery_code',
      recovery_codes_left: 9,
    });
    const { res: again } = await signInWithCode(ctx, user.username, { recoveryCode: codes[3] });
    expect(again.status).toBe(422);
  });

  it('goes back to the password when the second step has waited over five minutes', async () => {
    const { agent: first, user } = await loginAs(ctx, 'approver');
    const { secret } = await enrol(ctx, first);
    const { agent } = await passwordStep(ctx, user.username);
    ctx.clock.advance(6 * 60 * 1000);
    const res = await postForm(agent, '/login/second-factor', { code: totpAt(secret, ctx.clock.now()) }, '/login');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=1');
    expect((await agent.get('/dashboard')).status).toBe(303);
  });

  it('slows down guessing: after five wrong codes even the right one waits fifteen minutes', async () => {
    const { agent: first, user } = await loginAs(ctx, 'manager');
    const { secret } = await enrol(ctx, first);
    const { agent } = await passwordStep(ctx, user.username);
    for (let i = 0; i < 5; i++)
      expect(
        (await postForm(agent, '/login/second-factor', { code: 'ZZZZ-ZZZZ-ZZZZ' }, '/login/second-factor')).status,
      ).toBe(422);
    const blocked = await postForm(
      agent,
      '/login/second-factor',
      { code: phoneCode(ctx, secret) },
      '/login/second-factor',
    );
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('15 分钟后再试');
    ctx.clock.advance(15 * 60 * 1000);
    const { res } = await signInWithCode(ctx, user.username, { secret });
    expect(res.status).toBe(303);
    expect((await ctx.db('second_factors').where({ user_id: user.id }).first()).failed_attempts).toBe(0);
  });

  it('checks at most five codes when twenty wrong ones arrive at once', async () => {
    const { agent: first, user } = await loginAs(ctx, 'auditor');
    await enrol(ctx, first);
    const { agent } = await passwordStep(ctx, user.username);
    const token = await csrfFrom(agent, '/login/second-factor');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        agent
          .post('/login/second-factor')
          .type('form')
          .send({ _csrf: token, code: String(100000 + i) }),
      ),
    );
    expect(answers.every((r) => r.status === 422 || r.status === 429)).toBe(true);
    const checked = (await events('auth.second_factor_failed', user.id)).filter(
      (e) => JSON.parse(e.after_json).reason === 'invalid',
    );
    expect(checked.length).toBe(5);
  });
});

describe('the administrator resets a second factor', () => {
  it('removes it and its codes, ends the user\u2019s sessions, audited; the user signs in with the password again', async () => {
    const { agent: admin } = await loginAs(ctx, 'admin');
    const { agent, user } = await loginAs(ctx, 'manager');
    await enrol(ctx, agent);
    const res = await postForm(admin, `/admin/users/${user.id}/second-factor-reset`, {});
    expect(res.status).toBe(303);
    expect(await ctx.db('second_factors').where({ user_id: user.id })).toHaveLength(0);
    expect(await ctx.db('recovery_codes').where({ user_id: user.id })).toHaveLength(0);
    expect((await agent.get('/dashboard')).status).toBe(303);
    expect(await events('user.second_factor_reset', user.id)).toHaveLength(1);
    const again = await signIn(ctx, user.username);
    expect((await again.get('/dashboard')).status).toBe(200);
  });

  it('refuses resetting one\u2019s own, a user without one, or nobody (409/404)', async () => {
    const { agent: admin, user } = await loginAs(ctx, 'admin');
    const other = await ctx.make.user('approver');
    expect((await postForm(admin, `/admin/users/${other.id}/second-factor-reset`, {})).status).toBe(409);
    expect((await postForm(admin, '/admin/users/999999/second-factor-reset', {})).status).toBe(404);
    await enrol(ctx, admin);
    expect((await postForm(admin, `/admin/users/${user.id}/second-factor-reset`, {})).status).toBe(409);
    expect(await ctx.db('second_factors').where({ user_id: user.id })).toHaveLength(1);
  });

  it('is refused to a manager, who cannot reset another account (403)', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const { agent: victimAgent, user: victim } = await loginAs(ctx, 'manager');
    await enrol(ctx, victimAgent);
    expect((await postForm(agent, `/admin/users/${victim.id}/second-factor-reset`, {})).status).toBe(403);
    expect(await ctx.db('second_factors').where({ user_id: victim.id })).toHaveLength(1);
  });
});

describe('step-up for sensitive actions (requireSecondFactor)', () => {
  it('lets an enrolled administrator who proved the code at sign-in change a role', async () => {
    const { agent: first, user } = await loginAs(ctx, 'admin');
    const { secret } = await enrol(ctx, first);
    const { agent } = await signInWithCode(ctx, user.username, { secret });
    const target = await ctx.make.user('reviewer');
    const res = await postForm(agent, `/admin/users/${target.id}`, {
      displayName: '升级',
      role: 'auditor',
      auditStreetOfficeIds: String((await ctx.make.streetOffice()).id),
    });
    expect(res.status).toBe(303);
    expect((await ctx.db('users').where({ id: target.id }).first()).role).toBe('auditor');
  });

  it('asks a session that has not proved the factor for it, and refuses its posts until then', async () => {
    const { agent: older, user } = await loginAs(ctx, 'admin'); // signed in before enrolling
    const other = await signIn(ctx, user.username);
    const { secret } = await enrol(ctx, other);
    const target = await ctx.make.user('reviewer');

    const form = await older.get(`/admin/users/${target.id}/edit`);
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe(
      `/account/second-factor/verify?next=${encodeURIComponent(`/admin/users/${target.id}/edit`)}`,
    );
    const refused = await postForm(older, `/admin/users/${target.id}/disable`, {});
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('第二重验证');
    expect((await ctx.db('users').where({ id: target.id }).first()).disabled_at).toBeNull();

    const wrong = await postForm(
      older,
      '/account/second-factor/verify',
      { code: 'nonsense', next: '/admin/users' },
      '/account/second-factor/verify',
    );
    expect(wrong.status).toBe(422);
    const verified = await postForm(
      older,
      '/account/second-factor/verify',
      { code: phoneCode(ctx, secret), next: `/admin/users/${target.id}/edit` },
      '/account/second-factor/verify',
    );
    expect(verified.status).toBe(303);
    expect(verified.headers.location).toBe(`/admin/users/${target.id}/edit`);
    expect((await postForm(older, `/admin/users/${target.id}/disable`, {})).status).toBe(303);
    expect(JSON.parse((await events('auth.second_factor_used', user.id)).at(-1).after_json)).toEqual({
      purpose: 'step_up',
      method: 'totp',
    });
  });

  it('lets demo accounts without a second factor through in demo mode, with a banner saying so', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const page = await agent.get('/admin/users/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('演示模式：此账户无需两步验证即可使用');
    const { agent: staff } = await loginAs(ctx, 'org_staff');
    expect((await staff.get('/dashboard')).text).not.toContain('演示模式：此账户无需两步验证');
  });
});

describe('refusals and races', () => {
  it('refuses every second-factor post without a CSRF token, writing nothing', async () => {
    const { agent, user } = await loginAs(ctx, 'admin');
    const { secret } = await enrol(ctx, agent);
    const target = await ctx.make.user('manager');
    const before = await ctx.db('audit_events').count({ n: '*' }).first();
    for (const path of [
      '/account/second-factor/verify',
      '/account/second-factor/recovery-codes',
      `/admin/users/${target.id}/password-reset`,
      `/admin/users/${target.id}/second-factor-reset`,
    ]) {
      const res = await agent
        .post(path)
        .type('form')
        .send({ code: totpAt(secret, ctx.clock.now()) });
      expect(res.status).toBe(403);
    }
    expect(await ctx.db('audit_events').count({ n: '*' }).first()).toEqual(before);
    expect((await ctx.db('users').where({ id: target.id }).first()).password_hash).toBe(target.password_hash);
    expect(await ctx.db('recovery_codes').where({ user_id: user.id }).whereNotNull('used_at')).toHaveLength(0);
  });

  it('does not take another user\u2019s recovery code or phone code', async () => {
    const { agent: a, user: alice } = await loginAs(ctx, 'manager');
    const { agent: b } = await loginAs(ctx, 'manager');
    await enrol(ctx, a);
    const { secret: bobSecret, codes: bobCodes } = await enrol(ctx, b);
    const { res: withCode } = await signInWithCode(ctx, alice.username, { recoveryCode: bobCodes[0] });
    expect(withCode.status).toBe(422);
    const { agent: half } = await passwordStep(ctx, alice.username);
    expect(
      (await postForm(half, '/login/second-factor', { code: phoneCode(ctx, bobSecret) }, '/login/second-factor'))
        .status,
    ).toBe(422);
  });

  it('accepts one recovery code once when it arrives twice at the same moment', async () => {
    const { agent: first, user } = await loginAs(ctx, 'approver');
    const { codes } = await enrol(ctx, first);
    const [x, y] = [await passwordStep(ctx, user.username), await passwordStep(ctx, user.username)];
    const [tx, ty] = [await csrfFrom(x.agent, '/login/second-factor'), await csrfFrom(y.agent, '/login/second-factor')];
    const answers = await Promise.all([
      x.agent.post('/login/second-factor').type('form').send({ _csrf: tx, code: codes[0] }),
      y.agent.post('/login/second-factor').type('form').send({ _csrf: ty, code: codes[0] }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(await ctx.db('recovery_codes').where({ user_id: user.id }).whereNotNull('used_at')).toHaveLength(1);
  });
});
