import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import { disableStaff } from '../../src/modules/organizations/staff-service';
import { loadSessionUser } from '../../src/modules/accounts/queries';
import { systemActor } from '../../src/audit/audit';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

async function orgWithStaff(n = 1) {
  const org = await ctx.make.organization();
  const staff = [];
  for (let i = 0; i < n; i++) staff.push(await ctx.make.user('org_staff', { organization_id: org.id }));
  return { org, staff, agent: await signIn(ctx, staff[0].username) };
}

async function inviteLink(agent: Agent, displayName = '王芳') {
  const res = await postForm(agent, '/my/organization/invitations', { displayName }, '/my/organization/staff');
  expect(res.status).toBe(201);
  return /\/invitations\/([A-Za-z0-9_-]+)/.exec(res.text)![1];
}

async function accept(token: string, fields: Record<string, string>) {
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  return agent
    .post(`/invitations/${token}`)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

describe('inviting colleagues', () => {
  it('staff invite a colleague, who completes the link with their own password; the link is single use and stored hashed', async () => {
    const { org, agent } = await orgWithStaff();
    const token = await inviteLink(agent);
    const row = await ctx.db('staff_invitations').where({ organization_id: org.id }).first();
    expect(row.token_hash).toHaveLength(64);
    expect(row.token_hash).not.toContain(token);
    expect((await request(ctx.app).get(`/invitations/${token}`)).text).toContain('王芳');
    const done = await accept(token, { username: 'wang.fang', password: 'a long new password 2026' });
    expect(done.status).toBe(303);
    const user = await ctx.db('users').where({ username: 'wang.fang' }).first();
    expect(user).toMatchObject({ role: 'org_staff', organization_id: org.id, display_name: '王芳' });
    expect((await signIn(ctx, 'wang.fang', 'a long new password 2026').then((a) => a.get('/dashboard'))).status).toBe(
      200,
    );
    expect((await request(ctx.app).get(`/invitations/${token}`)).status).toBe(404);
    expect((await accept(token, { username: 'second.use', password: 'a long new password 2026' })).status).toBe(404);
    expect(await ctx.db('users').where({ username: 'second.use' }).first()).toBeUndefined();
  });

  it('an expired link is not found; a short password or a taken username re-shows the form (422), nothing written', async () => {
    const { agent, staff } = await orgWithStaff();
    const token = await inviteLink(agent);
    const short = await accept(token, { username: 'li.lei', password: 'short' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('密码至少需要 12 个字符');
    const taken = await accept(token, { username: staff[0].username, password: 'a long new password 2026' });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('该用户名已被使用');
    ctx.clock.set('2026-12-03T02:00:00.000Z');
    expect((await request(ctx.app).get(`/invitations/${token}`)).status).toBe(404);
  });

  it('refuses a manager, and an invitation form without a name', async () => {
    const { agent } = await orgWithStaff();
    expect(
      (await postForm(agent, '/my/organization/invitations', { displayName: '' }, '/my/organization/staff')).status,
    ).toBe(422);
    const manager = await signIn(ctx, (await ctx.make.user('manager')).username);
    expect((await manager.get('/my/organization/staff')).status).toBe(403);
  });
});

describe('revoking an invitation', () => {
  it('staff revoke an open invitation from the staff page: audited, the link lets no one in afterwards', async () => {
    const { org, agent, staff } = await orgWithStaff();
    const token = await inviteLink(agent, '赵敏');
    const invitation = await ctx.db('staff_invitations').where({ organization_id: org.id }).first();
    const page = await agent.get('/my/organization/staff');
    expect(page.text).toContain(`action="/my/organization/invitations/${invitation.id}/revocation"`);
    const res = await postForm(
      agent,
      `/my/organization/invitations/${invitation.id}/revocation`,
      {},
      '/my/organization/staff',
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/my/organization/staff');
    const after = await agent.get('/my/organization/staff');
    expect(after.text).toContain('已撤销给 赵敏 的邀请，该链接不再有效。');
    expect(after.text).not.toContain('/revocation"');
    expect((await request(ctx.app).get(`/invitations/${token}`)).status).toBe(404);
    expect((await accept(token, { username: 'after.revoke', password: 'a long new password 2026' })).status).toBe(404);
    expect(await ctx.db('users').where({ username: 'after.revoke' }).first()).toBeUndefined();
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'organization.staff_invitation_revoke', subject_id: String(org.id) })
      .first();
    expect(audit).toMatchObject({ actor_user_id: staff[0].id });
    // Revoked once: a second revocation is refused (409), nothing written.
    const again = await postForm(
      agent,
      `/my/organization/invitations/${invitation.id}/revocation`,
      {},
      '/my/organization/staff',
    );
    expect(again.status).toBe(409);
    expect(again.text).toContain('该邀请已使用、已过期或已撤销。');
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'organization.staff_invitation_revoke', subject_id: String(org.id) }),
    ).toHaveLength(1);
  });

  it('refuses an acceptance that read the clock before the revocation committed (it was still hashing the password)', async () => {
    const { org, agent } = await orgWithStaff();
    const token = await inviteLink(agent, '钱进');
    const invitation = await ctx.db('staff_invitations').where({ organization_id: org.id }).first();
    ctx.clock.set('2026-11-25T02:05:00.000Z');
    const revoked = await postForm(
      agent,
      `/my/organization/invitations/${invitation.id}/revocation`,
      {},
      '/my/organization/staff',
    );
    expect(revoked.status).toBe(303);
    // The acceptance's clock reading from before the revocation: its claim must still fail.
    ctx.clock.set('2026-11-25T02:04:59.000Z');
    expect((await accept(token, { username: 'late.claim', password: 'a long new password 2026' })).status).toBe(404);
    expect(await ctx.db('users').where({ username: 'late.claim' }).first()).toBeUndefined();
  });

  it("refuses another organization's invitation (404), a used one (409), a request without CSRF (403) and non-staff (403)", async () => {
    const mine = await orgWithStaff();
    const other = await orgWithStaff();
    await inviteLink(other.agent, '别家同事');
    const theirs = await ctx.db('staff_invitations').where({ organization_id: other.org.id }).first();
    expect(
      (await postForm(mine.agent, `/my/organization/invitations/${theirs.id}/revocation`, {}, '/my/organization/staff'))
        .status,
    ).toBe(404);
    expect(
      (await postForm(mine.agent, '/my/organization/invitations/abc/revocation', {}, '/my/organization/staff')).status,
    ).toBe(404);
    expect(
      (await mine.agent.post(`/my/organization/invitations/${theirs.id}/revocation`).type('form').send({})).status,
    ).toBe(403);
    const manager = await signIn(ctx, (await ctx.make.user('manager')).username);
    expect((await postForm(manager, `/my/organization/invitations/${theirs.id}/revocation`, {})).status).toBe(403);
    expect((await ctx.db('staff_invitations').where({ id: theirs.id }).first()).expires_at).toBe(theirs.expires_at);

    const token = await inviteLink(mine.agent, '已加入');
    expect((await accept(token, { username: 'joined.first', password: 'a long new password 2026' })).status).toBe(303);
    const used = await ctx
      .db('staff_invitations')
      .where({ organization_id: mine.org.id })
      .whereNotNull('used_at')
      .first();
    expect(
      (await postForm(mine.agent, `/my/organization/invitations/${used.id}/revocation`, {}, '/my/organization/staff'))
        .status,
    ).toBe(409);
  });
});

describe('disabling colleagues', () => {
  it('ends the open invitations the disabled colleague handed out: their links let no one in afterwards', async () => {
    const { staff } = await orgWithStaff(2);
    const second = await signIn(ctx, staff[1].username);
    const token = await inviteLink(second, '离职前邀请');
    const first = await signIn(ctx, staff[0].username);
    expect(
      (await postForm(first, `/my/organization/staff/${staff[1].id}/disabling`, {}, '/my/organization/staff')).status,
    ).toBe(303);
    expect((await request(ctx.app).get(`/invitations/${token}`)).status).toBe(404);
    expect((await accept(token, { username: 'after.leaving', password: 'a long new password 2026' })).status).toBe(404);
    expect(await ctx.db('users').where({ username: 'after.leaving' }).first()).toBeUndefined();
  });

  it("disables a colleague (signed out), never the organization's last active account, never another organization's", async () => {
    const { staff, agent } = await orgWithStaff(2);
    const page = await agent.get('/my/organization/staff');
    expect(page.text).toContain(`/my/organization/staff/${staff[1].id}/disabling`);
    expect(
      (await postForm(agent, `/my/organization/staff/${staff[1].id}/disabling`, {}, '/my/organization/staff')).status,
    ).toBe(303);
    expect((await ctx.db('users').where({ id: staff[1].id }).first()).disabled_at).not.toBeNull();
    const last = await postForm(agent, `/my/organization/staff/${staff[0].id}/disabling`, {}, '/my/organization/staff');
    expect(last.status).toBe(409);
    expect(last.text).toContain('不能停用机构最后一个在用的账户');
    expect((await agent.get('/my/organization/staff')).text).toMatch(/disabled aria-describedby="last-account"/);
    const other = await orgWithStaff(2);
    expect(
      (await postForm(agent, `/my/organization/staff/${other.staff[1].id}/disabling`, {}, '/my/organization/staff'))
        .status,
    ).toBe(404);
  });

  it('two staff disabling each other at the same moment: one succeeds, one account stays active', async () => {
    const { staff } = await orgWithStaff(2);
    const [a, b] = await Promise.all(staff.map((s) => loadSessionUser(ctx.db, s.id)));
    const results = await Promise.allSettled([
      disableStaff(ctx, systemActor, a!, staff[1].id),
      disableStaff(ctx, systemActor, b!, staff[0].id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const active = await ctx
      .db('users')
      .whereIn(
        'id',
        staff.map((s) => s.id),
      )
      .whereNull('disabled_at')
      .count({ n: '*' })
      .first();
    expect(Number(active!.n)).toBe(1);
  });
});
