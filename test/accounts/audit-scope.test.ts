import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';

/** The administrator assigns an auditor's scope: street offices one by one, or the whole district. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
}, 60_000);
afterAll(() => ctx.close());

const scopePage = (id: number) => `/admin/users/${id}/audit-scope`;
const events = (action: string, userId: number) =>
  ctx
    .db('audit_events')
    .where({ action, subject_type: 'user', subject_id: String(userId) })
    .orderBy('id');
const auditEventCount = async () => Number((await ctx.db('audit_events').count({ n: '*' }).first())!.n);

async function english(agent: Agent) {
  await agent.get('/language?lang=en&returnTo=/dashboard');
}

describe('the page (200)', () => {
  it('shows an auditor’s street offices and whether they audit the whole district, linked from the user list', async () => {
    const [a, b] = [await ctx.make.streetOffice(), await ctx.make.streetOffice()];
    const auditor = await ctx.make.user('auditor', { auditStreets: [a.id] });
    const { agent } = await loginAs(ctx, 'admin');
    const page = await agent.get(scopePage(auditor.id));
    expect(page.status).toBe(200);
    expect(page.text).toContain(`审计范围：${auditor.username}`);
    const assigned = page.text.slice(page.text.indexOf('逐个指定的街道'), page.text.indexOf('加入街道'));
    expect(assigned).toContain(a.name);
    expect(assigned).not.toContain(b.name);
    expect(page.text).toContain('设为全区审计');
    expect((await agent.get(`/admin/users?role=auditor&q=${auditor.username}`)).text).toContain(
      `href="${scopePage(auditor.id)}"`,
    );
    await english(agent);
    const en = await agent.get(scopePage(auditor.id));
    expect(en.text).toContain(`Audit scope: ${auditor.username}`);
    expect(en.text).toContain('Make auditor of the whole district');
  });
});

describe('changing the scope (303), followed at once by the auditor’s reports and trail', () => {
  it('adds a street office: the auditor reads its reports and its audit events on their next request', async () => {
    const [mine, added] = [await ctx.make.streetOffice(), await ctx.make.streetOffice()];
    const { agent: auditor, user } = await loginAs(ctx, 'auditor', { auditStreets: [mine.id] });
    expect((await auditor.get(`/reports/funds?street=${added.id}&year=2026`)).status).toBe(404);
    expect((await auditor.get(`/audit?street=${added.id}`)).status).toBe(422);

    const { agent: admin } = await loginAs(ctx, 'admin');
    const res = await postForm(
      admin,
      `${scopePage(user.id)}/streets`,
      { streetOfficeId: String(added.id) },
      scopePage(user.id),
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(scopePage(user.id));
    expect((await admin.get(scopePage(user.id))).text).toContain(`已把${added.name}加入 ${user.username} 的审计范围。`);
    const [event] = await events('user.audit_scope_street_add', user.id);
    expect(JSON.parse(event.before_json)).toEqual({ audit_street_office_ids: [mine.id], whole_district: false });
    expect(JSON.parse(event.after_json)).toEqual({
      audit_street_office_ids: [mine.id, added.id].sort((x, y) => x - y),
      whole_district: false,
    });
    expect(event.street_office_id).toBeNull();

    // The same session of the auditor, not signed in again.
    expect((await auditor.get(`/reports/funds?street=${added.id}&year=2026`)).status).toBe(200);
    const trail = await auditor.get(`/audit?street=${added.id}`);
    expect(trail.status).toBe(200);
  });

  it('removes a street office: its reports are 404 and its events gone from the trail at once', async () => {
    const [kept, removed] = [await ctx.make.streetOffice(), await ctx.make.streetOffice()];
    const { agent: auditor, user } = await loginAs(ctx, 'auditor', { auditStreets: [kept.id, removed.id] });
    const { agent: admin } = await loginAs(ctx, 'admin');
    // An event of the removed street office (its manager signs in), which the auditor reads until the removal.
    const { user: manager } = await loginAs(ctx, 'manager', { street_office_id: removed.id });
    const eventId = Number(
      (await ctx.db('audit_events').where({ street_office_id: removed.id, actor_user_id: manager.id }).first('id'))!.id,
    );
    expect((await auditor.get(`/audit/${eventId}`)).status).toBe(200);

    const res = await postForm(
      admin,
      `${scopePage(user.id)}/street-removal`,
      { streetOfficeId: String(removed.id) },
      scopePage(user.id),
    );
    expect(res.status).toBe(303);
    const [event] = await events('user.audit_scope_street_remove', user.id);
    expect(JSON.parse(event.after_json)).toEqual({ audit_street_office_ids: [kept.id], whole_district: false });
    expect((await auditor.get(`/reports/register?street=${removed.id}&year=2026`)).status).toBe(404);
    expect((await auditor.get(`/audit/${eventId}`)).status).toBe(404);
    expect((await auditor.get(`/reports/register?street=${kept.id}&year=2026`)).status).toBe(200);
  });

  it('sets and unsets the whole district: a street office created later is readable only meanwhile', async () => {
    const mine = await ctx.make.streetOffice();
    const { agent: auditor, user } = await loginAs(ctx, 'auditor', { auditStreets: [mine.id] });
    const { agent: admin } = await loginAs(ctx, 'admin');
    const on = await postForm(admin, `${scopePage(user.id)}/district`, { wholeDistrict: 'on' }, scopePage(user.id));
    expect(on.status).toBe(303);
    const later = await ctx.make.streetOffice();
    expect((await auditor.get(`/reports/funds?street=${later.id}&year=2026`)).status).toBe(200);
    expect((await admin.get(scopePage(user.id))).text).toContain('全区：可查看所有街道办事处');

    const off = await postForm(admin, `${scopePage(user.id)}/district`, { wholeDistrict: 'off' }, scopePage(user.id));
    expect(off.status).toBe(303);
    expect((await auditor.get(`/reports/funds?street=${later.id}&year=2026`)).status).toBe(404);
    expect((await auditor.get(`/reports/funds?street=${mine.id}&year=2026`)).status).toBe(200);
    const [grant] = await events('user.audit_scope_district_grant', user.id);
    const [revoke] = await events('user.audit_scope_district_revoke', user.id);
    expect([JSON.parse(grant.before_json).whole_district, JSON.parse(grant.after_json).whole_district]).toEqual([
      false,
      true,
    ]);
    expect([JSON.parse(revoke.before_json).whole_district, JSON.parse(revoke.after_json).whole_district]).toEqual([
      true,
      false,
    ]);
    expect(await ctx.db('auditor_district_scopes').where({ user_id: user.id })).toHaveLength(0);
  });

  it('tells the changes as sentences in the audit trail, in both languages', async () => {
    const s = await ctx.make.streetOffice();
    const user = await ctx.make.user('auditor');
    const { agent: admin } = await loginAs(ctx, 'admin');
    expect(
      (await postForm(admin, `${scopePage(user.id)}/streets`, { streetOfficeId: String(s.id) }, scopePage(user.id)))
        .status,
    ).toBe(303);
    const [event] = await events('user.audit_scope_street_add', user.id);
    expect((await admin.get(`/audit/${event.id}`)).text).toContain('审计范围');
    await english(admin);
    expect((await admin.get(`/audit/${event.id}`)).text).toContain('added a street office to the audit scope of');
  });

  it('keeps the whole district when the user form is saved without street offices, and drops it when the role changes', async () => {
    const user = await ctx.make.user('auditor');
    await ctx.db('auditor_district_scopes').insert({ user_id: user.id, granted_at: ctx.clock.now().toISOString() });
    const { agent: admin } = await loginAs(ctx, 'admin');
    const form = await admin.get(`/admin/users/${user.id}/edit`);
    expect(form.text).not.toMatch(/name="auditStreetOfficeIds" value="\d+" checked/); // none named one by one
    expect(
      (
        await postForm(
          admin,
          `/admin/users/${user.id}`,
          { displayName: '全区审计', role: 'auditor' },
          `/admin/users/${user.id}/edit`,
        )
      ).status,
    ).toBe(303);
    expect(await ctx.db('auditor_district_scopes').where({ user_id: user.id })).toHaveLength(1);
    expect(
      (
        await postForm(
          admin,
          `/admin/users/${user.id}`,
          { displayName: '改为评审', role: 'reviewer' },
          `/admin/users/${user.id}/edit`,
        )
      ).status,
    ).toBe(303);
    expect(await ctx.db('auditor_district_scopes').where({ user_id: user.id })).toHaveLength(0);
    const [change] = await events('user.role_change', user.id);
    expect([JSON.parse(change.before_json).whole_district, JSON.parse(change.after_json).whole_district]).toEqual([
      true,
      false,
    ]);
  });
});

describe('bad input (422): the page re-shown with the reason, nothing written', () => {
  let admin: Agent;
  let auditor: { id: number; username: string };
  let mine: { id: number; name: string };
  beforeAll(async () => {
    mine = await ctx.make.streetOffice();
    auditor = await ctx.make.user('auditor', { auditStreets: [mine.id] });
    admin = (await loginAs(ctx, 'admin')).agent;
  });

  it.each([
    ['an unknown street office', { streetOfficeId: '999999' }, 'streets', '没有这个街道办事处，请从列表中选择。'],
    ['no street office chosen', { streetOfficeId: '' }, 'streets', '请从列表中选择一个街道办事处。'],
    ['a street office given twice', { streetOfficeId: ['1', '2'] }, 'streets', '请从列表中选择一个街道办事处。'],
    [
      'removing one not in the scope',
      { streetOfficeId: 'OTHER' },
      'street-removal',
      '该街道不在审计范围内，无需移出。',
    ],
    [
      'unsetting a whole district never set',
      { wholeDistrict: 'off' },
      'district',
      '该审计人员不是全区审计，无需取消。',
    ],
    ['a flag that is neither on nor off', { wholeDistrict: 'yes' }, 'district', '请选择设为或取消全区审计。'],
  ])('%s', async (_name, fields, path, message) => {
    const other = await ctx.make.streetOffice();
    const body = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === 'OTHER' ? String(other.id) : v]));
    const before = await auditEventCount();
    const res = await postForm(admin, `${scopePage(auditor.id)}/${path}`, body, scopePage(auditor.id));
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('class="error-summary"');
    expect(res.text).toContain(`action="${scopePage(auditor.id)}/streets"`); // the form is there again
    expect(await auditEventCount()).toBe(before);
    expect(
      (await ctx.db('user_street_offices').where({ user_id: auditor.id }).pluck('street_office_id')).map(Number),
    ).toEqual([mine.id]);
  });

  it('re-shows the street chosen when adding one already in the scope', async () => {
    const res = await postForm(
      admin,
      `${scopePage(auditor.id)}/streets`,
      { streetOfficeId: String(mine.id) },
      scopePage(auditor.id),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('该街道已在审计范围内。');
  });

  it('refuses a scope for a user who is not an auditor, in English too', async () => {
    const manager = await ctx.make.user('manager');
    const s = await ctx.make.streetOffice();
    const res = await postForm(
      admin,
      `${scopePage(manager.id)}/streets`,
      { streetOfficeId: String(s.id) },
      scopePage(manager.id),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('该用户不是审计人员');
    expect(await ctx.db('user_street_offices').where({ user_id: manager.id })).toHaveLength(0);
    const district = await postForm(
      admin,
      `${scopePage(manager.id)}/district`,
      { wholeDistrict: 'on' },
      scopePage(manager.id),
    );
    expect(district.status).toBe(422);
    expect(await ctx.db('auditor_district_scopes').where({ user_id: manager.id })).toHaveLength(0);
    const { agent: en } = await loginAs(ctx, 'admin');
    await english(en);
    const enRes = await postForm(
      en,
      `${scopePage(manager.id)}/streets`,
      { streetOfficeId: '999999' },
      scopePage(manager.id),
    );
    expect(enRes.status).toBe(422);
    expect(enRes.text).toContain('This user is not an auditor');
    const enStreet = await postForm(
      en,
      `${scopePage(auditor.id)}/streets`,
      { streetOfficeId: '999999' },
      scopePage(auditor.id),
    );
    expect(enStreet.text).toContain('There is no such street office; choose one from the list.');
  });
});

describe('refusals (403, 404)', () => {
  it('refuses the auditor themselves and a manager, and writes nothing', async () => {
    const s = await ctx.make.streetOffice();
    const { agent: auditor, user } = await loginAs(ctx, 'auditor');
    const { agent: manager } = await loginAs(ctx, 'manager');
    for (const agent of [auditor, manager]) {
      expect((await agent.get(scopePage(user.id))).status).toBe(403);
      expect((await postForm(agent, `${scopePage(user.id)}/streets`, { streetOfficeId: String(s.id) })).status).toBe(
        403,
      );
      expect((await postForm(agent, `${scopePage(user.id)}/district`, { wholeDistrict: 'on' })).status).toBe(403);
    }
    expect(await ctx.db('user_street_offices').where({ user_id: user.id })).toHaveLength(0);
    expect(await ctx.db('auditor_district_scopes').where({ user_id: user.id })).toHaveLength(0);
  });

  it('refuses a post without the CSRF token (403) and an unknown user (404)', async () => {
    const s = await ctx.make.streetOffice();
    const user = await ctx.make.user('auditor');
    const { agent: admin } = await loginAs(ctx, 'admin');
    const forged = await admin
      .post(`${scopePage(user.id)}/streets`)
      .type('form')
      .send({ streetOfficeId: String(s.id) });
    expect(forged.status).toBe(403);
    expect(await ctx.db('user_street_offices').where({ user_id: user.id })).toHaveLength(0);
    expect((await admin.get(scopePage(987654))).status).toBe(404);
    expect((await postForm(admin, `${scopePage(987654)}/district`, { wholeDistrict: 'on' })).status).toBe(404);
  });
});
