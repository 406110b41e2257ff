import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs } from '../helpers/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('GET /healthz', () => {
  it('answers 200 while the database answers', async () => {
    const res = await request(ctx.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers 503 when the database does not', async () => {
    const broken = await createTestContext();
    // Healthy first (which also lets the app's start-up reads finish: destroying the pool under a
    // pending one aborts it), then the database goes away.
    expect((await request(broken.app).get('/healthz')).status).toBe(200);
    await broken.db.destroy();
    const res = await request(broken.app).get('/healthz');
    expect(res.status).toBe(503);
    broken.close().catch(() => undefined);
  });
});

describe('error pages', () => {
  it('answer an unknown page with 404 in Chinese, and in English when chosen', async () => {
    const res = await request(ctx.app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('找不到此页面');
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    await agent.post('/language').type('form').send({ _csrf: token, lang: 'en', returnTo: '/' });
    const en = await agent.get('/no/such/page');
    expect(en.text).toContain('This page was not found');
  });

  it('answer a form with a broken encoding with 400, not 500', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const res = await agent
      .post('/admin/street-offices')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=klingon')
      .send('name=x');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('show no stack trace or SQL when something fails inside', async () => {
    const broken = await createTestContext();
    const { agent } = await loginAs(broken, 'admin');
    await broken.db.schema.dropTable('user_street_offices');
    const res = await agent.get('/admin/street-offices');
    // The page itself still works; a failing query shows the generic page.
    expect(res.status).toBe(200);
    await broken.db.schema.dropTable('audit_chain_head');
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)![1];
    const failed = await agent
      .post('/admin/street-offices')
      .type('form')
      .send({ _csrf: token, name: '会失败', district: 'x' });
    expect(failed.status).toBe(500);
    expect(failed.text).toContain('系统出现故障');
    expect(failed.text).not.toMatch(/audit_chain_head|at .*\.ts:\d+|SQLITE|relation/);
    await broken.close();
  });

  it('set security headers with a Content-Security-Policy without inline scripts', async () => {
    const res = await request(ctx.app).get('/login');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.text).not.toMatch(/<script(?![^>]*src=)/);
    expect(res.text).not.toMatch(/ style="/);
  });
});
