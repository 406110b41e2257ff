import express from 'express';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { rootDir, loadConfig } from '../../src/config';
import { errorHandler } from '../../src/web/error-handler';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs } from '../helpers/http';
import { TEST_PASSWORD } from '../helpers/factories';
import { agentFor, PDF, proposedAward } from '../awards/factory';
import { register, registration } from '../organizations/helpers';
import { BEFORE, bidFields, makeCall, postBid, staffAgent } from '../bids/helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const count = async (table: string) => Number((await ctx.db(table).count({ n: '*' }).first())?.n ?? 0);

describe('control characters and direction overrides (422, nothing written, both databases)', () => {
  it.each([
    '/calls?category=%00',
    '/registry?q=a%00b',
    '/catalog?q=%E2%80%AE',
    '/awards?page=1%00',
    '/registry/1%00',
    '/language?lang=en&returnTo=/%E2%81%A6x',
  ])('refuse %s in a path or query string with a clear message', async (url) => {
    const res = await request(ctx.app).get(url);
    expect(res.status).toBe(422);
    expect(res.text).toContain('控制字符');
  });

  it('refuse U+0000 in a signed-in form, in English when chosen, and write nothing', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    await agent.get('/language?lang=en&returnTo=/');
    const before = await count('street_offices');
    const token = await csrfFrom(agent, '/admin/street-offices');
    const res = await agent
      .post('/admin/street-offices')
      .type('form')
      .send({ _csrf: token, name: '东\u0000山', district: '江宁区' });
    expect(res.status).toBe(422);
    // The form again, with the message at the field and what was typed (minus the character).
    expect(res.text).toContain('Remove the invisible control or text-direction characters');
    expect(res.text).toContain('value="东山"');
    expect(res.text).toContain('value="江宁区"');
    expect(await count('street_offices')).toBe(before);
  });

  it('refuse a right-to-left override (U+202E) in the anonymous registration form', async () => {
    const agent = request.agent(ctx.app);
    const before = await count('organizations');
    const res = await register(agent, await registration(ctx, { name: '测试\u202Eexe.gpj' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('请删除其中不可见的控制字符');
    expect(res.text).toContain('value="测试exe.gpj"');
    expect(await count('organizations')).toBe(before);
  });

  it('refuse U+0000 in a multipart form (an objection with a file) and write nothing', async () => {
    const { call, awardId } = await proposedAward(ctx, {
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 400_000, scores: [[60, 60]] },
      ],
    });
    const loser = await agentFor(ctx, call.bids[1].staff);
    const token = await csrfFrom(loser, '/dashboard');
    const res = await loser
      .post(`/awards/${awardId}/objections`)
      .field('_csrf', token)
      .field('reasons', '评分\u0000有误')
      .attach('files', PDF, 'a.pdf');
    expect(res.status).toBe(422);
    expect(res.text).toContain('请删除其中不可见的控制字符');
    expect(res.text).toContain('评分有误');
    expect(await count('objections')).toBe(0);
    expect(await count('stored_files')).toBe(0);
  });

  it('refuse it in a form with its own parser (a bid) when the write is attempted, the form re-shown', async () => {
    ctx.clock.set(BEFORE);
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    const before = await count('bids');
    const res = await postBid(agent, `/calls/${call.id}/bids`, bidFields({ servicePlan: '每周\u0000两次' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('请删除其中不可见的控制字符');
    expect(await count('bids')).toBe(before);
    expect(await ctx.db('bids').where({ organization_id: org.id }).first()).toBeUndefined();
  });

  it('never redirect to a path with a control character', async () => {
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent, '/login');
    const res = await agent
      .post('/language')
      .type('form')
      .send({ _csrf: token, lang: 'en', returnTo: '/calls\r\nSet-Cookie: x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('still accept tabs and line breaks in multi-line text', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const token = await csrfFrom(agent, '/admin/street-offices');
    const res = await agent
      .post('/admin/street-offices')
      .type('form')
      .send({ _csrf: token, name: '换行\t街道', district: '江宁区\r\n' });
    expect(res.status).not.toBe(422);
    expect(res.status).toBeLessThan(500);
  });
});

describe('error details', () => {
  it('are off by default in every mode, demo (development) included, and on only when asked', () => {
    expect(loadConfig({}).showErrorDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).showErrorDetails).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', SHOW_ERROR_DETAILS: '1' }).showErrorDetails).toBe(true);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET: 'x'.repeat(32),
        AUDIT_KEY: 'k'.repeat(32),
        SHOW_ERROR_DETAILS: '1',
      }).showErrorDetails,
    ).toBe(false);
  });

  it('are not shown to anyone in the default mode, and shown when a developer asked', async () => {
    for (const showErrorDetails of [loadConfig({ NODE_ENV: 'development' }).showErrorDetails, true]) {
      const broken = await createTestContext({ showErrorDetails });
      await broken.db.schema.renameTable('service_categories', 'service_categories_gone');
      const res = await request(broken.app).get('/registry');
      expect(res.status).toBe(500);
      expect(res.text).toContain('系统出现故障');
      if (showErrorDetails) expect(res.text).toMatch(/service_categories/);
      else expect(res.text).not.toMatch(/service_categories|select |\.ts:\d+|node_modules/i);
      await broken.close();
    }
  });
});

describe('a malformed language cookie', () => {
  it.each(['/', '/calls', '/login', '/no/such/page'])('does not break %s', async (url) => {
    const res = await request(ctx.app).get(url).set('Cookie', 'sf.lang=%');
    expect(res.status).toBe(url === '/no/such/page' ? 404 : 200);
    expect(res.text).toContain('<html lang="zh-CN">');
  });

  it('does not break a signed-in page', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const res = await agent.get('/dashboard').set('Cookie', 'sf.lang=%E0%A4%A');
    expect(res.status).not.toBe(500);
  });

  it('an error page that cannot be drawn still answers with its status and message', async () => {
    const app = express();
    app.set('view engine', 'ejs');
    app.set('views', path.join(rootDir, 'views'));
    // No locals at all: the error view cannot render (no translator, no navigation).
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use(errorHandler({ showStack: false, logger: pino({ level: 'silent' }) }));
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.text).toContain('系统出现故障');
    expect(res.text).not.toContain('boom');
  });
});

describe('caching', () => {
  it('every response to a signed-in user carries Cache-Control: no-store', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    for (const url of ['/dashboard', '/admin/users', '/calls', '/', '/no/such/page']) {
      const res = await agent.get(url);
      expect([url, res.headers['cache-control']]).toEqual([url, 'no-store']);
    }
  });
});

describe('anonymous visitors', () => {
  it('50 cookieless views of public pages (forms included) create no session rows', async () => {
    const { awardId, call } = await proposedAward(ctx, { bids: [{ priceFen: 500_000, scores: [[90, 90]] }] });
    const pages = [
      '/',
      '/login',
      '/calls',
      `/calls/${call.callId}`,
      '/catalog',
      '/registry',
      '/awards',
      `/awards/${awardId}`,
      '/organizations/new',
      '/no/such/page',
    ];
    const before = await count('sessions');
    for (let i = 0; i < 50; i++) {
      const res = await request(ctx.app).get(pages[i % pages.length]);
      expect(res.status).toBeLessThan(500);
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('sf.sid=');
    }
    expect(await count('sessions')).toBe(before);
  });

  it('switch the language with a plain link, no token, back to the page they were on', async () => {
    const res = await request(ctx.app).get('/language?lang=en&returnTo=%2Fcalls%3Fstatus%3Dopen');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/calls?status=open');
    expect(String(res.headers['set-cookie'])).toMatch(/sf\.lang=en/);
    const away = await request(ctx.app).get('/language?lang=en&returnTo=//evil.example');
    expect(away.headers.location).toBe('/');
    const page = await request(ctx.app).get('/');
    expect(page.text).toMatch(/<form class="lang-switch" method="get" action="\/language">/);
  });

  it('sign in with a double-submit token, and a forged or foreign token is refused', async () => {
    const user = await ctx.make.user('manager');
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent, '/login');
    // Another browser's token does not fit this browser's cookie.
    const other = request.agent(ctx.app);
    const otherToken = await csrfFrom(other, '/login');
    expect(
      (await agent.post('/login').type('form').send({ _csrf: otherToken, username: user.username, password: 'x' }))
        .status,
    ).toBe(403);
    // No cookie at all: refused.
    expect(
      (
        await request(ctx.app)
          .post('/login')
          .type('form')
          .send({ _csrf: token, username: user.username, password: 'x' })
      ).status,
    ).toBe(403);
    const ok = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: user.username, password: TEST_PASSWORD });
    expect(ok.status).toBe(303);
  });

  it('a signed-in user cannot post with the anonymous token of the same browser', async () => {
    const user = await ctx.make.user('admin');
    const agent = request.agent(ctx.app);
    const anonToken = await csrfFrom(agent, '/login');
    expect(
      (
        await agent
          .post('/login')
          .type('form')
          .send({ _csrf: anonToken, username: user.username, password: TEST_PASSWORD })
      ).status,
    ).toBe(303);
    const res = await agent
      .post('/admin/street-offices')
      .type('form')
      .send({ _csrf: anonToken, name: '伪造街道', district: 'x' });
    expect(res.status).toBe(403);
    expect(await ctx.db('street_offices').where({ name: '伪造街道' }).first()).toBeUndefined();
  });
});
