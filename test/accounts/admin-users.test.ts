import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, signIn, type Agent } from '../helpers/http';

let ctx: TestContext;
let admin: Agent;
let adminId: number;
beforeAll(async () => {
  ctx = await createTestContext();
  const signedIn = await loginAs(ctx, 'admin');
  admin = signedIn.agent;
  adminId = signedIn.user.id;
});
afterAll(() => ctx.close());

const countUsers = async () => Number((await ctx.db('users').count({ n: '*' }).first())?.n);

describe('the administrator (200/303)', () => {
  it('lists users with search and role filter, paginated', async () => {
    await ctx.make.user('reviewer', { username: 'findme.reviewer', display_name: '周评审' });
    const res = await admin.get('/admin/users?q=findme');
    expect(res.status).toBe(200);
    expect(res.text).toContain('findme.reviewer');
    const byRole = await admin.get('/admin/users?role=auditor');
    expect(byRole.text).not.toContain('findme.reviewer');
    const odd = await admin.get('/admin/users?page=abc&role=nonsense');
    expect(odd.status).toBe(200);
  });

  it('creates a manager of a street office, audited with the new values', async () => {
    const street = await ctx.make.streetOffice();
    const res = await postForm(admin, '/admin/users', {
      username: 'New.Manager',
      password: 'a long enough password',
      displayName: '新主管',
      role: 'manager',
      streetOfficeId: String(street.id),
    });
    expect(res.status).toBe(303);
    const user = await ctx.db('users').where({ username: 'new.manager' }).first();
    expect(user.street_office_id).toBe(street.id);
    expect(user.password_hash).not.toContain('a long enough password');
    const event = await ctx
      .db('audit_events')
      .where({ action: 'user.create', subject_id: String(user.id) })
      .first();
    expect(event.actor_user_id).toBe(adminId);
    expect(JSON.parse(event.after_json)).toMatchObject({ username: 'new.manager', role: 'manager' });
    // The administrator chose the password, so the new user is sent to choose their own first.
    expect(user.must_change_password).toBeTruthy();
    const agent = await signIn(ctx, 'new.manager', 'a long enough password');
    const dashboard = await agent.get('/dashboard');
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.location).toBe('/account/password');
    expect((await agent.get('/account/password')).text).toContain(street.name);
  });

  it('creates an auditor with several street offices', async () => {
    const [a, b] = [await ctx.make.streetOffice(), await ctx.make.streetOffice()];
    const token = /name="_csrf" value="([^"]+)"/.exec((await admin.get('/admin/users/new')).text)![1];
    const res = await admin
      .post('/admin/users')
      .type('form')
      .send(
        `_csrf=${token}&username=multi.auditor&password=a+long+enough+password&displayName=%E5%AE%A1%E8%AE%A1&role=auditor&auditStreetOfficeIds=${a.id}&auditStreetOfficeIds=${b.id}`,
      );
    expect(res.status).toBe(303);
    const user = await ctx.db('users').where({ username: 'multi.auditor' }).first();
    const streets = await ctx.db('user_street_offices').where({ user_id: user.id }).orderBy('street_office_id');
    expect(streets.map((s) => s.street_office_id)).toEqual([a.id, b.id]);
  });

  it('changes a role and scope, audited as a role change with before and after', async () => {
    const user = await ctx.make.user('org_staff');
    const street = await ctx.make.streetOffice();
    const res = await postForm(admin, `/admin/users/${user.id}`, {
      displayName: '改派',
      role: 'approver',
      streetOfficeId: String(street.id),
      organizationId: '',
    });
    expect(res.status).toBe(303);
    const after = await ctx.db('users').where({ id: user.id }).first();
    expect(after).toMatchObject({ role: 'approver', street_office_id: street.id, organization_id: null });
    const event = await ctx
      .db('audit_events')
      .where({ action: 'user.role_change', subject_id: String(user.id) })
      .first();
    expect(JSON.parse(event.before_json).role).toBe('org_staff');
    expect(JSON.parse(event.after_json).role).toBe('approver');
  });

  it('disables a user, ending their sessions at once, and enables them again', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    expect((await agent.get('/dashboard')).status).toBe(200);
    expect((await postForm(admin, `/admin/users/${user.id}/disable`, {})).status).toBe(303);
    expect((await agent.get('/dashboard')).status).toBe(303);
    expect((await ctx.db('users').where({ id: user.id }).first()).disabled_at).not.toBeNull();
    expect((await postForm(admin, `/admin/users/${user.id}/enable`, {})).status).toBe(303);
    expect((await ctx.db('users').where({ id: user.id }).first()).disabled_at).toBeNull();
    expect(
      await ctx
        .db('audit_events')
        .whereIn('action', ['user.disable', 'user.enable'])
        .where({ subject_id: String(user.id) })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 2 });
  });

  it('shows the edit form with the current values', async () => {
    const user = await ctx.make.user('reviewer', { display_name: '编辑我' });
    const res = await admin.get(`/admin/users/${user.id}/edit`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="编辑我"');
  });
});

describe('bad input to the user forms (422/404/409)', () => {
  it('re-shows the form with errors and the typed values, writing nothing', async () => {
    const before = await countUsers();
    const res = await postForm(admin, '/admin/users', {
      username: 'x',
      password: 'short',
      displayName: '保留我',
      role: 'manager',
      streetOfficeId: '',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('用户名需 3–64 个字符');
    expect(res.text).toContain('密码至少需要 12 个字符');
    expect(res.text).toContain('value="保留我"');
    expect(await countUsers()).toBe(before);
  });

  it('requires a street office for a manager and an organization for staff', async () => {
    const m = await postForm(admin, '/admin/users', {
      username: 'nostreet',
      password: 'a long enough password',
      displayName: '无街道',
      role: 'manager',
    });
    expect(m.status).toBe(422);
    expect(m.text).toContain('该角色必须属于一个街道');
    const o = await postForm(admin, '/admin/users', {
      username: 'noorg',
      password: 'a long enough password',
      displayName: '无机构',
      role: 'org_staff',
    });
    expect(o.status).toBe(422);
    expect(o.text).toContain('社会组织工作人员必须属于一个社会组织');
  });

  it('refuses a taken username, an unknown role and a forged street id', async () => {
    const existing = await ctx.make.user('reviewer');
    const taken = await postForm(admin, '/admin/users', {
      username: existing.username,
      password: 'a long enough password',
      displayName: 'x',
      role: 'reviewer',
    });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('该用户名已被使用');
    const role = await postForm(admin, '/admin/users', {
      username: 'badrole',
      password: 'a long enough password',
      displayName: 'x',
      role: 'superuser',
    });
    expect(role.status).toBe(422);
    const forged = await postForm(admin, '/admin/users', {
      username: 'forged',
      password: 'a long enough password',
      displayName: 'x',
      role: 'manager',
      streetOfficeId: '999999',
    });
    expect(forged.status).toBe(422);
    expect(await ctx.db('users').where({ username: 'forged' }).first()).toBeUndefined();
  });

  it('answers 404 for a user that does not exist', async () => {
    expect((await admin.get('/admin/users/999999/edit')).status).toBe(404);
    expect((await postForm(admin, '/admin/users/999999/disable', {})).status).toBe(404);
  });

  it('does not let the administrator disable their own account', async () => {
    const res = await postForm(admin, `/admin/users/${adminId}/disable`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain('不能停用自己的账号');
  });
});

describe('refused to everyone but the administrator (403/401)', () => {
  it.each(['manager', 'approver', 'reviewer', 'auditor', 'org_staff'] as const)('refuses a %s', async (role) => {
    const { agent } = await loginAs(ctx, role);
    expect((await agent.get('/admin/users')).status).toBe(403);
    expect((await agent.get('/admin/users/new')).status).toBe(403);
    const target = await ctx.make.user('reviewer');
    expect((await agent.get(`/admin/users/${target.id}/edit`)).status).toBe(403);
    const before = await countUsers();
    expect(
      (
        await postForm(agent, '/admin/users', {
          username: 'sneaky',
          password: 'a long enough password',
          displayName: 'x',
          role: 'admin',
        })
      ).status,
    ).toBe(403);
    expect((await postForm(agent, `/admin/users/${target.id}`, { displayName: 'x', role: 'admin' })).status).toBe(403);
    expect((await postForm(agent, `/admin/users/${target.id}/disable`, {})).status).toBe(403);
    expect((await postForm(agent, `/admin/users/${target.id}/enable`, {})).status).toBe(403);
    expect(await countUsers()).toBe(before);
  });

  it('sends an anonymous visitor to sign in', async () => {
    const res = await request(ctx.app).get('/admin/users');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });
});
