import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';

let ctx: TestContext;
let admin: Agent;
beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await loginAs(ctx, 'admin')).agent;
});
afterAll(() => ctx.close());

describe('street offices, for the administrator', () => {
  it('creates a street office and audits it', async () => {
    const res = await postForm(
      admin,
      '/admin/street-offices',
      { name: '汤山街道', district: '南京市江宁区' },
      '/admin/street-offices',
    );
    expect(res.status).toBe(303);
    const street = await ctx.db('street_offices').where({ name: '汤山街道' }).first();
    expect(street.district).toBe('南京市江宁区');
    expect(
      await ctx.db('audit_events').where({ action: 'street_office.create', street_office_id: street.id }).first(),
    ).toBeDefined();
    expect((await admin.get('/admin/street-offices')).text).toContain('汤山街道');
  });

  it('renames a street office, keeping the old name in the audit trail', async () => {
    const street = await ctx.make.streetOffice({ name: '旧名街道' });
    expect((await admin.get(`/admin/street-offices/${street.id}/edit`)).text).toContain('value="旧名街道"');
    const res = await postForm(admin, `/admin/street-offices/${street.id}`, { name: '新名街道', district: '测试区' });
    expect(res.status).toBe(303);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'street_office.rename', street_office_id: street.id })
      .first();
    expect(JSON.parse(event.before_json).name).toBe('旧名街道');
    expect(JSON.parse(event.after_json).name).toBe('新名街道');
  });

  it('refuses an empty or duplicate name, keeping what was typed', async () => {
    await ctx.make.streetOffice({ name: '重复街道' });
    const dup = await postForm(admin, '/admin/street-offices', { name: '重复街道', district: '某区' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('该名称已存在');
    expect(dup.text).toContain('value="某区"');
    const empty = await postForm(admin, '/admin/street-offices', { name: '', district: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('此项为必填项');
    expect((await postForm(admin, '/admin/street-offices/999999', { name: 'a', district: 'b' })).status).toBe(404);
  });
});

describe('street offices, refused', () => {
  it.each(['manager', 'approver', 'auditor', 'org_staff', 'reviewer'] as const)('to a %s', async (role) => {
    const { agent } = await loginAs(ctx, role);
    const street = await ctx.make.streetOffice();
    expect((await agent.get('/admin/street-offices')).status).toBe(403);
    expect((await agent.get(`/admin/street-offices/${street.id}/edit`)).status).toBe(403);
    expect((await postForm(agent, '/admin/street-offices', { name: `越权${role}`, district: 'x' })).status).toBe(403);
    expect(
      (await postForm(agent, `/admin/street-offices/${street.id}`, { name: `越权改名${role}`, district: 'x' })).status,
    ).toBe(403);
    expect(await ctx.db('street_offices').where('name', 'like', '越权%').first()).toBeUndefined();
  });

  it('to an anonymous visitor', async () => {
    expect((await request(ctx.app).get('/admin/street-offices')).status).toBe(303);
  });
});
