import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs } from '../helpers/http';
import { catalogItem, publishedCall, submittedBid } from '../helpers/factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('CSRF on multipart requests', () => {
  it('refuses a token-less multipart POST to a route that takes no upload, changing nothing', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const target = await ctx.make.user('manager');
    const res = await agent.post(`/admin/users/${target.id}/disable`).field('x', '1');
    expect(res.status).toBe(403);
    expect((await ctx.db('users').where({ id: target.id }).first()).disabled_at).toBeNull();
  });

  it('refuses a multipart POST there even when it carries the right token', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const target = await ctx.make.user('manager');
    const token = await csrfFrom(agent, '/dashboard');
    const res = await agent.post(`/admin/users/${target.id}/disable`).field('_csrf', token);
    expect(res.status).toBe(403);
    expect((await ctx.db('users').where({ id: target.id }).first()).disabled_at).toBeNull();
  });

  it('refuses a token-less multipart sign-out', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    expect((await agent.post('/logout').field('x', '1')).status).toBe(403);
    expect((await agent.get('/dashboard')).status).toBe(200);
  });
});

describe('malformed multipart bodies on upload routes', () => {
  it('answer 4xx with a message, never 500', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    const url = `/organizations/${user.organization_id}/documents`;
    const noBoundary = await agent.post(url).set('Content-Type', 'multipart/form-data').send('');
    expect(noBoundary.status).toBeGreaterThanOrEqual(400);
    expect(noBoundary.status).toBeLessThan(500);
    const token = await csrfFrom(agent, `/organizations/${user.organization_id}`);
    const cut = `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 trunc`;
    const truncated = await agent.post(url).set('Content-Type', 'multipart/form-data; boundary=XYZ').send(cut);
    expect(truncated.status).toBe(422);
    expect(truncated.text).toContain('上传的表单不完整');
    expect(
      await ctx.db('organization_documents').where({ organization_id: user.organization_id }).first(),
    ).toBeUndefined();
  });
});

describe('the audit trail and sealed bids', () => {
  it('does not show even the administrator a bid event before the call closes, and does after', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const street = await ctx.make.streetOffice();
    const at = ctx.clock.now().toISOString();
    const [category] = await ctx.db('service_categories').select('id').limit(1);
    const item = await catalogItem(ctx, {
      category_id: category.id,
      street_office_id: street.id,
      code: 'SEC-1',
      name: '项目',
      description: 'd',
      service_standard: 's',
      unit: '次',
      guidance_price_fen: 100,
      methods: 'contract_outsourcing',
    });
    const closes = new Date(ctx.clock.now().getTime() + 3600_000).toISOString();
    const call = await publishedCall(ctx, {
      street_office_id: street.id,
      catalog_item_id: item.id,
      title: '密封测试',
      description: 'd',
      budget_fen: 100,
      opens_at: at,
      closes_at: closes,
      weight_citizen: 20,
      weight_third_party: 30,
      published_at: null,
    });
    const org = await ctx.make.organization();
    const { id: bidId } = await submittedBid(ctx, call.id, {
      organizationId: org.id,
      priceFen: 100,
      submittedAt: at,
    });
    const { recordAudit } = await import('../../src/audit/audit');
    const eventId = await ctx.db.transaction((trx) =>
      recordAudit(
        trx,
        { userId: null, label: 'org', role: 'org_staff', ip: null, requestId: null },
        { action: 'bid.submit', subjectType: 'bid', subjectId: bidId, organizationId: org.id },
        ctx.clock.now(),
      ),
    );
    expect((await agent.get('/audit?action=bid')).text).not.toContain(`href="/audit/${eventId}"`);
    expect((await agent.get(`/audit/${eventId}`)).status).toBe(404);
    ctx.clock.advance(3600_000 + 1000);
    const { agent: after } = await loginAs(ctx, 'admin');
    expect((await after.get('/audit?action=bid')).text).toContain(`href="/audit/${eventId}"`);
    expect((await after.get(`/audit/${eventId}`)).status).toBe(200);
  });
});

it('a token-less urlencoded POST is still refused', async () => {
  expect((await request(ctx.app).post('/login').type('form').send({ username: 'x', password: 'y' })).status).toBe(403);
});
