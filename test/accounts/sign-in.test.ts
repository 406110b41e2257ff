import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn } from '../helpers/http';
import { TEST_PASSWORD } from '../helpers/factories';
import { ROLES } from '../../src/modules/accounts/roles';
import { loadConfig } from '../../src/config';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const auditCount = async (action: string) =>
  Number((await ctx.db('audit_events').where({ action }).count({ n: '*' }).first())?.n);

describe('the sign-in page', () => {
  it('is in Simplified Chinese by default', async () => {
    const res = await request(ctx.app).get('/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="zh-CN">');
    expect(res.text).toContain('登录');
  });

  it('switches to English and remembers the choice in a cookie', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent, '/login');
    const res = await agent.post('/language').type('form').send({ _csrf: token, lang: 'en', returnTo: '/login' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const page = await agent.get('/login');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('Sign in');
  });

  it('lists the demo accounts in demo mode only', async () => {
    const res = await request(ctx.app).get('/login');
    expect(res.text).toContain('manager.dongshan');
    const prod = await createTestContext({ demo: false });
    try {
      const hidden = await request(prod.app).get('/login');
      expect(hidden.text).not.toContain('manager.dongshan');
    } finally {
      await prod.close();
    }
  });

  it('refuses to start in production without a session secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), AUDIT_KEY: 'k'.repeat(40) }).demo).toBe(
      false,
    );
  });
});

describe('signing in', () => {
  it.each(ROLES)('brings a %s to their own dashboard, with name, role and scope in the header', async (role) => {
    const { agent, user } = await loginAs(ctx, role);
    const res = await agent.get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toContain(user.display_name as string);
    expect(res.text).toContain('退出登录');
    expect(res.text).toMatch(new RegExp(`dashboard|工作台`));
  });

  it('shows the street office of a manager in the header', async () => {
    const street = await ctx.make.streetOffice({ name: '秣陵街道' });
    const { agent } = await loginAs(ctx, 'manager', { street_office_id: street.id });
    const res = await agent.get('/dashboard');
    expect(res.text).toContain('秣陵街道');
  });

  it('gives the session a new id at sign-in (none exists before: the sign-in page creates no session)', async () => {
    const user = await ctx.make.user('manager');
    const agent = request.agent(ctx.app);
    const page = await agent.get('/login');
    expect(String(page.headers['set-cookie'])).not.toMatch(/sf\.sid=/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    // A fixated id planted by someone else is not kept.
    const planted = 's%3Aplanted.fixated';
    const anonCookie = String(page.headers['set-cookie']).split(';')[0];
    const res = await request(ctx.app)
      .post('/login')
      .set('Cookie', `sf.sid=${planted}; ${anonCookie}`)
      .type('form')
      .send({ _csrf: token, username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(303);
    const after = /sf\.sid=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
    expect(after).toBeDefined();
    expect(after).not.toBe(planted);
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Lax/i);
  });

  it('records the sign-in in the audit trail', async () => {
    const before = await auditCount('auth.sign_in');
    await loginAs(ctx, 'auditor');
    expect(await auditCount('auth.sign_in')).toBe(before + 1);
  });

  it('follows a local next address and ignores one to another site', async () => {
    const user = await ctx.make.user('admin');
    for (const [next, expected] of [
      ['/admin/users', '/admin/users'],
      ['//evil.example/x', '/dashboard'],
      ['https://evil.example/', '/dashboard'],
    ]) {
      const agent = request.agent(ctx.app);
      const token = await csrfFrom(agent);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, username: user.username, password: TEST_PASSWORD, next });
      expect(res.headers.location).toBe(expected);
    }
  });
});

describe('a refused sign-in', () => {
  it('says the username or password is wrong, keeps the username, and audits the attempt', async () => {
    const user = await ctx.make.user('manager');
    const before = await auditCount('auth.sign_in_failed');
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: user.username, password: 'wrong password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('用户名或密码不正确');
    expect(res.text).toContain(`value="${user.username}"`);
    expect(await auditCount('auth.sign_in_failed')).toBe(before + 1);
    const event = await ctx.db('audit_events').where({ action: 'auth.sign_in_failed' }).orderBy('id', 'desc').first();
    expect(event.after_json).not.toContain('wrong password');
  });

  it('gives an unknown user the same message', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: 'nobody-here', password: 'whatever12345' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('用户名或密码不正确');
  });

  it('tells a disabled user their account is disabled', async () => {
    const user = await ctx.make.user('reviewer', { disabled_at: ctx.clock.now().toISOString() });
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.text).toContain('此账号已被停用');
  });

  it('shows field errors when fields are missing or are lists instead of text', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const empty = await agent.post('/login').type('form').send({ _csrf: token, username: '', password: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('此项为必填项');
    const list = await agent.post('/login').type('form').send(`_csrf=${token}&username=a&username=b&password=x`);
    expect(list.status).toBe(422);
    expect(list.text).toContain('此项应为一段文字');
  });

  it('refuses a sign-in without a CSRF token and writes nothing', async () => {
    const user = await ctx.make.user('manager');
    const events = await ctx.db('audit_events').count({ n: '*' }).first();
    const res = await request(ctx.app)
      .post('/login')
      .type('form')
      .send({ username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('表单已失效');
    expect((await ctx.db('audit_events').count({ n: '*' }).first())?.n).toBe(events?.n);
  });

  it('refuses an oversized form with 413', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: 'x'.repeat(200 * 1024), password: 'y' });
    expect(res.status).toBe(413);
    expect(res.text).toContain('表单内容过大');
  });
});

describe('sign-in rate limits', () => {
  it('blocks an account after repeated failures, with a clear message, even with the right password', async () => {
    const user = await ctx.make.user('approver');
    const agent = request.agent(ctx.app);
    for (let i = 0; i < ctx.config.signIn.perAccount; i++) {
      const token = await csrfFrom(agent);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, username: user.username, password: 'wrong password' });
      expect(res.status).toBe(401);
    }
    const token = await csrfFrom(agent);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(429);
    expect(res.text).toContain('登录尝试过于频繁');
  });

  it('blocks an address after repeated failures across accounts', async () => {
    const limited = await createTestContext({
      signIn: { perAccount: 100, perAddress: 3, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      const agent = request.agent(limited.app);
      for (let i = 0; i < 3; i++) {
        const token = await csrfFrom(agent);
        await agent
          .post('/login')
          .type('form')
          .send({ _csrf: token, username: `someone${i}`, password: 'wrong password' });
      }
      const token = await csrfFrom(agent);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, username: 'someone-else', password: 'wrong password' });
      expect(res.status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('signing out and session timeouts', () => {
  it('destroys the session at sign-out, so the old cookie no longer works', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const token = await csrfFrom(agent, '/dashboard');
    const res = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?signedOut=1');
    const after = await agent.get('/dashboard');
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('ends a session left idle longer than the idle timeout, and says so', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    ctx.clock.advance((ctx.config.idleTimeoutMinutes + 1) * 60 * 1000);
    const res = await agent.get('/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=1');
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('会话已过期');
  });

  it('ends a session older than the absolute timeout even when active', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const step = (ctx.config.idleTimeoutMinutes - 1) * 60 * 1000;
    const total = ctx.config.absoluteTimeoutHours * 60 * 60 * 1000;
    for (let t = 0; t <= total; t += step) {
      ctx.clock.advance(step);
      const res = await agent.get('/dashboard');
      if (res.status !== 200) {
        expect(res.headers.location).toBe('/login?expired=1');
        return;
      }
    }
    throw new Error('the session outlived the absolute timeout');
  });

  it('answers a form sent after the session expired with 401 and a message, changing nothing', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const token = await csrfFrom(agent, '/admin/street-offices');
    ctx.clock.advance((ctx.config.idleTimeoutMinutes + 1) * 60 * 1000);
    const res = await agent
      .post('/admin/street-offices')
      .type('form')
      .send({ _csrf: token, name: '过期街道', district: '测试区' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('会话已过期');
    expect(await ctx.db('street_offices').where({ name: '过期街道' }).first()).toBeUndefined();
  });
});

describe('pages that need a signed-in user', () => {
  it('send an anonymous visitor to sign in and come back', async () => {
    const res = await request(ctx.app).get('/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fdashboard');
  });

  it('refuse an anonymous sign-out', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    const res = await agent.post('/logout').type('form').send({ _csrf: token });
    expect(res.status).toBe(401);
  });
});

it('signs in with the seeded demo account', async () => {
  const user = await ctx.make.user('admin', { username: 'demo.check' });
  const agent = await signIn(ctx, user.username);
  expect((await agent.get('/dashboard')).status).toBe(200);
});

describe('the front page', () => {
  it('is public and leads to the public pages, registration and sign-in', async () => {
    const res = await request(ctx.app).get('/');
    expect(res.status).toBe(200);
    for (const href of ['/calls', '/catalog', '/registry', '/organizations/new', '/login'])
      expect(res.text).toContain(`href="${href}"`);
  });

  it('offers a signed-in user their dashboard', async () => {
    const { agent } = await loginAs(ctx, 'auditor');
    expect((await agent.get('/')).text).toContain('href="/dashboard"');
  });
});
