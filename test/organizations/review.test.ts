import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { systemActor } from '../../src/audit/audit';
import { InvalidState } from '../../src/web/errors';
import { decide } from '../../src/modules/organizations/service';
import { canBid } from '../../src/modules/organizations/policy';
import { post } from './helpers';

let ctx: TestContext;
let admin: Agent;
beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await loginAs(ctx, 'admin')).agent;
});
afterAll(() => ctx.close());

const statusOf = async (id: number) => (await ctx.db('organizations').where({ id }).first()).status;
const decideAs = (agent: Agent, id: number, what: string, reason?: string) =>
  post(agent, `/organizations/${id}/${what}`, reason === undefined ? {} : { reason });

describe('the review queue (200)', () => {
  it('lists pending organizations first, with their documents count, and filters by status', async () => {
    const approved = await ctx.make.organization({ name: '甲已通过机构', created_at: '2026-01-01T00:00:00.000Z' });
    const pending = await ctx.make.organization({
      name: '乙待审核机构',
      status: 'pending',
      created_at: '2026-06-01T00:00:00.000Z',
    });
    const res = await admin.get('/admin/organizations');
    expect(res.status).toBe(200);
    expect(res.text.indexOf('乙待审核机构')).toBeLessThan(res.text.indexOf('甲已通过机构'));
    const onlyApproved = await admin.get('/admin/organizations?status=approved');
    expect(onlyApproved.text).toContain('甲已通过机构');
    expect(onlyApproved.text).not.toContain('乙待审核机构');
    expect((await admin.get('/admin/organizations?status[]=x&page=abc')).status).toBe(200);
    expect(approved.id).not.toBe(pending.id);
  });

  it('paginates', async () => {
    for (let i = 0; i < 21; i++) await ctx.make.organization({ status: 'rejected' });
    const res = await admin.get('/admin/organizations?status=rejected');
    expect(res.text).toMatch(/第 1 \/ 2 页/);
    expect((await admin.get('/admin/organizations?status=rejected&page=2')).text).toMatch(/第 2 \/ 2 页/);
  });

  it('opens an organization with its documents and the decisions possible', async () => {
    const org = await ctx.make.organization({ status: 'pending', contact_phone: '025-1234 5678' });
    const res = await admin.get(`/organizations/${org.id}`);
    expect(res.text).toContain('025-1234 5678');
    expect(res.text).toContain(`action="/organizations/${org.id}/approval"`);
    expect(res.text).toContain(`action="/organizations/${org.id}/rejection"`);
    expect(res.text).not.toContain(`/suspension"`);
  });
});

describe('review decisions (303), audited with before and after', () => {
  it('approves a pending organization, which may then bid', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    const res = await decideAs(admin, org.id, 'approval', '');
    expect(res.status).toBe(303);
    const row = await ctx.db('organizations').where({ id: org.id }).first();
    expect(row.status).toBe('approved');
    expect(canBid(row)).toBe(true);
    expect(row.reviewed_at).toBe(ctx.clock.now().toISOString());
    const event = await ctx
      .db('audit_events')
      .where({ action: 'organization.approve', subject_id: String(org.id) })
      .first();
    expect(JSON.parse(event.before_json)).toEqual({ status: 'pending', status_reason: null });
    expect(JSON.parse(event.after_json)).toEqual({ status: 'approved', status_reason: null });
  });

  it('rejects with a reason that the organization sees on its page and dashboard', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    expect((await decideAs(admin, org.id, 'rejection', '登记证书已过期')).status).toBe(303);
    expect(await statusOf(org.id)).toBe('rejected');
    expect(canBid({ status: 'rejected' })).toBe(false);
    const staff = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const page = await staff.agent.get(`/organizations/${org.id}`);
    expect(page.text).toContain('登记证书已过期');
    expect(page.text).toContain('重新提交审核');
    expect((await staff.agent.get('/dashboard')).text).toContain('登记证书已过期');
    const event = await ctx
      .db('audit_events')
      .where({ action: 'organization.reject', subject_id: String(org.id) })
      .first();
    expect(JSON.parse(event.after_json)).toEqual({ status: 'rejected', status_reason: '登记证书已过期' });
  });

  it('lets the rejected organization resubmit, back to pending', async () => {
    const org = await ctx.make.organization({ status: 'rejected', status_reason: '缺少章程' });
    const staff = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const res = await post(staff.agent, `/organizations/${org.id}/resubmission`, {});
    expect(res.status).toBe(303);
    expect(await statusOf(org.id)).toBe('pending');
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'organization.resubmit', subject_id: String(org.id) })
        .first(),
    ).toBeDefined();
  });

  it('suspends an approved organization with a reason and reinstates it', async () => {
    const org = await ctx.make.organization();
    expect((await decideAs(admin, org.id, 'suspension', '年检未通过')).status).toBe(303);
    expect(await statusOf(org.id)).toBe('suspended');
    const staff = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    expect((await staff.agent.get(`/organizations/${org.id}`)).text).toContain('年检未通过');
    expect((await decideAs(admin, org.id, 'reinstatement', '已补交年检材料')).status).toBe(303);
    expect(await statusOf(org.id)).toBe('approved');
    const actions = await ctx
      .db('audit_events')
      .where({ subject_type: 'organization', subject_id: String(org.id) })
      .orderBy('id')
      .pluck('action');
    expect(actions).toEqual(['organization.suspend', 'organization.reinstate']);
  });
});

describe('refused decisions', () => {
  it('requires a reason to reject or suspend (422), keeping the page and writing nothing', async () => {
    const pending = await ctx.make.organization({ status: 'pending' });
    const res = await decideAs(admin, pending.id, 'rejection', '   ');
    expect(res.status).toBe(422);
    expect(res.text).toContain('此项为必填项');
    expect(res.text).toContain('href="#field-reason-reject"');
    expect(await statusOf(pending.id)).toBe('pending');
    const approved = await ctx.make.organization();
    expect((await decideAs(admin, approved.id, 'suspension')).status).toBe(422);
    expect(await statusOf(approved.id)).toBe('approved');
  });

  it('refuses a reason sent as a list (422) and one over 1000 characters (422)', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    const token = await csrfFrom(admin, '/dashboard');
    const list = await admin
      .post(`/organizations/${org.id}/rejection`)
      .type('form')
      .send(`_csrf=${token}&reason=a&reason=b`);
    expect(list.status).toBe(422);
    expect(list.text).toContain('此项应为一段文字');
    expect((await decideAs(admin, org.id, 'rejection', 'x'.repeat(1001))).status).toBe(422);
    expect(await statusOf(org.id)).toBe('pending');
  });

  it('refuses a decision that does not fit the status (409)', async () => {
    const approved = await ctx.make.organization();
    expect((await decideAs(admin, approved.id, 'approval')).status).toBe(409);
    expect((await decideAs(admin, approved.id, 'reinstatement')).status).toBe(409);
    const pending = await ctx.make.organization({ status: 'pending' });
    expect((await decideAs(admin, pending.id, 'suspension', '原因')).status).toBe(409);
    expect(await statusOf(pending.id)).toBe('pending');
  });

  it('lets only one of two simultaneous decisions on one organization succeed', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    const deps = { db: ctx.db, clock: ctx.clock, config: ctx.config };
    const results = await Promise.allSettled([
      decide(deps, systemActor, org.id, 'approve', null),
      decide(deps, systemActor, org.id, 'reject', '重复'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(InvalidState);
    expect(
      await ctx
        .db('audit_events')
        .where({ subject_type: 'organization', subject_id: String(org.id) })
        .count({ n: '*' })
        .first(),
    ).toMatchObject({ n: 1 });
  });

  it('refuses organization staff, managers, auditors, approvers and reviewers (403), and the public (401)', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    for (const role of ['org_staff', 'manager', 'auditor', 'approver', 'reviewer'] as const) {
      const overrides = role === 'org_staff' ? { organization_id: org.id } : {};
      const { agent } = await loginAs(ctx, role, overrides);
      for (const what of ['approval', 'rejection', 'suspension', 'reinstatement']) {
        expect((await decideAs(agent, org.id, what, '理由')).status).toBe(403);
      }
      expect((await agent.get('/admin/organizations')).status).toBe(403);
    }
    const anon = request.agent(ctx.app);
    const token = await csrfFrom(anon, '/login');
    expect((await anon.post(`/organizations/${org.id}/approval`).type('form').send({ _csrf: token })).status).toBe(401);
    expect((await anon.get('/admin/organizations')).status).toBe(303);
    expect(await statusOf(org.id)).toBe('pending');
  });

  it('refuses resubmission by another organization (404) and of an organization that is not rejected (404 for staff)', async () => {
    const org = await ctx.make.organization({ status: 'rejected' });
    const other = await loginAs(ctx, 'org_staff');
    expect((await post(other.agent, `/organizations/${org.id}/resubmission`, {})).status).toBe(404);
    const pendingStaff = await loginAs(ctx, 'org_staff', {
      organization_id: (await ctx.make.organization({ status: 'pending' })).id,
    });
    expect(
      (await post(pendingStaff.agent, `/organizations/${pendingStaff.user.organization_id}/resubmission`, {})).status,
    ).toBe(404);
    expect(await statusOf(org.id)).toBe('rejected');
  });

  it('answers 404 for an organization that does not exist', async () => {
    expect((await decideAs(admin, 99999999, 'approval')).status).toBe(404);
    expect((await admin.get('/organizations/abc')).status).toBe(404);
  });
});
