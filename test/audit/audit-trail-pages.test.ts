import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';

let ctx: TestContext;
let streetA: { id: number; name: string };
let streetB: { id: number; name: string };
beforeAll(async () => {
  ctx = await createTestContext();
  streetA = (await ctx.make.streetOffice({ name: '甲街道' })) as typeof streetA;
  streetB = (await ctx.make.streetOffice({ name: '乙街道' })) as typeof streetB;
  const admin = await loginAs(ctx, 'admin');
  await postForm(admin.agent, `/admin/street-offices/${streetA.id}`, { name: '甲街道', district: '甲区改' });
  await postForm(admin.agent, `/admin/street-offices/${streetB.id}`, { name: '乙街道', district: '乙区改' });
});
afterAll(() => ctx.close());

describe('the audit trail pages', () => {
  it('show the administrator every event, and one event in full', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const res = await agent.get('/audit?action=street_office');
    expect(res.status).toBe(200);
    expect(res.text).toContain('甲街道');
    expect(res.text).toContain('乙街道');
    const event = await ctx
      .db('audit_events')
      .where({ action: 'street_office.rename', street_office_id: streetA.id })
      .first();
    const one = await agent.get(`/audit/${event.id}`);
    expect(one.status).toBe(200);
    expect(one.text).toContain(event.hash);
    expect(one.text).toContain('甲区改');
  });

  it("show an auditor only their street offices' events", async () => {
    const { agent } = await loginAs(ctx, 'auditor', { auditStreets: [streetA.id] });
    const res = await agent.get('/audit?action=street_office');
    expect(res.text).toContain('甲街道');
    expect(res.text).not.toContain('乙街道');
    const other = await ctx
      .db('audit_events')
      .where({ action: 'street_office.rename', street_office_id: streetB.id })
      .first();
    expect((await agent.get(`/audit/${other.id}`)).status).toBe(404);
  });

  it('verify the chain on request', async () => {
    const { agent } = await loginAs(ctx, 'auditor', { auditStreets: [streetA.id] });
    const res = await agent.get('/audit/verify');
    expect(res.status).toBe(200);
    expect(res.text).toContain('审计链完整');
  });

  it.each(['manager', 'approver', 'reviewer', 'org_staff'] as const)('refuse a %s', async (role) => {
    const { agent } = await loginAs(ctx, role);
    expect((await agent.get('/audit')).status).toBe(403);
    expect((await agent.get('/audit/1')).status).toBe(403);
    expect((await agent.get('/audit/verify')).status).toBe(403);
  });

  it('send an anonymous visitor to sign in', async () => {
    expect((await request(ctx.app).get('/audit')).status).toBe(303);
  });
});
