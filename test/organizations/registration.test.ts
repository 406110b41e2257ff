import bcrypt from 'bcryptjs';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, signIn } from '../helpers/http';
import { systemActor } from '../../src/audit/audit';
import { ValidationFailed } from '../../src/web/errors';
import { registerOrganization } from '../../src/modules/organizations/service';
import { counts, formBody, register, registration } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  // Many registrations from one test address; the per-address limit has its own tests below.
  ctx = await createTestContext({ registration: { perAddress: 1000, windowMinutes: 60 } });
});
afterAll(() => ctx.close());

const anonymous = () => request.agent(ctx.app);

describe('registering an organization (200/303)', () => {
  it('shows the public form with the service categories and the account fields', async () => {
    const res = await anonymous().get('/organizations/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('社会组织注册');
    expect(res.text).toContain('养老助残');
    expect(res.text).toContain('name="categoryIds"');
    expect(res.text).toContain('name="password"');
    expect(res.text).toContain('社会服务机构（民办非企业单位）');
  });

  it('creates the organization pending, its categories and its first staff account in one audited transaction', async () => {
    const fields = await registration(ctx, { creditCode: '' });
    fields.creditCode = ((await registration(ctx)).creditCode as string).toLowerCase();
    const anonymousAgent = anonymous();
    const res = await register(anonymousAgent, fields);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fmy%2Forganization');

    const org = await ctx.db('organizations').where({ name: fields.name }).first();
    expect(org).toMatchObject({
      status: 'pending',
      credit_code: (fields.creditCode as string).toUpperCase(),
      org_type: 'social_service_agency',
      legal_representative: '李明',
      contact_person: '王红',
      contact_email: 'contact@example.org',
      founded_on: '2018-04-01',
    });
    expect(Number(org.certified_social_workers)).toBe(7);
    const links = await ctx.db('organization_service_categories').where({ organization_id: org.id });
    expect(links).toHaveLength(2);
    const user = await ctx.db('users').where({ organization_id: org.id }).first();
    expect(user).toMatchObject({ role: 'org_staff', organization_id: org.id, street_office_id: null });
    // The name typed, with a random suffix the registrant is told about.
    expect(user.username).toMatch(new RegExp(`^${(fields.username as string).replace(/\./g, '\\.')}-[a-z2-9]{4}$`));
    const flash = await anonymousAgent.get(res.headers.location);
    expect(flash.text).toContain(`您的用户名是 ${user.username}`);
    expect(user.password_hash).not.toContain('long enough');
    expect(await bcrypt.compare('a long enough password', user.password_hash)).toBe(true);
    const events = await ctx
      .db('audit_events')
      .where({ organization_id: org.id })
      .orderBy('id')
      .select('action', 'after_json', 'request_id');
    expect(events.map((e) => e.action)).toEqual(['organization.register', 'user.create']);
    expect(events[0].request_id).toBe(events[1].request_id);
    expect(events.map((e) => e.after_json).join('')).not.toContain('password');
  });

  it('lets the new staff user sign in while pending and see the status and what to do next', async () => {
    const fields = await registration(ctx);
    await register(anonymous(), fields);
    const { username } = await ctx
      .db('users')
      .where('username', 'like', `${fields.username as string}-%`)
      .first();
    const agent = await signIn(ctx, username, 'a long enough password');
    const mine = await agent.get('/my/organization');
    const org = await ctx.db('organizations').where({ name: fields.name }).first();
    expect(mine.headers.location).toBe(`/organizations/${org.id}`);
    const page = await agent.get(`/organizations/${org.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('待审核');
    expect(page.text).toContain('注册申请正在审核中');
    expect(page.text).toContain('尚缺资质文件：登记证书、年检/年报材料、章程');
    expect(page.text).toContain('上传资质文件');
    const dashboard = await agent.get('/dashboard');
    expect(dashboard.text).toContain('注册申请正在审核中');
  });

  it('accepts a single category (one checkbox arrives as a string) and no e-mail', async () => {
    const fields = await registration(ctx, { contactEmail: '' });
    fields.categoryIds = fields.categoryIds[0];
    const res = await register(anonymous(), fields);
    expect(res.status).toBe(303);
    const org = await ctx.db('organizations').where({ name: fields.name }).first();
    expect(org.contact_email).toBeNull();
  });
});

describe('refused registrations (422): the same form, values kept, nothing written', () => {
  async function refused(fields: Record<string, string | string[]>) {
    const before = await counts(ctx);
    const res = await register(anonymous(), fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain('请修改以下问题');
    expect(await counts(ctx)).toEqual(before);
    // Values kept, password never sent back.
    if (typeof fields.name === 'string') expect(res.text).toContain(`value="${fields.name}"`);
    expect(res.text).not.toContain('a long enough password');
    return res;
  }

  it('refuses a credit code that is already registered, naming it', async () => {
    const first = await registration(ctx);
    await register(anonymous(), first);
    const res = await refused(await registration(ctx, { creditCode: first.creditCode }));
    expect(res.text).toContain('该统一社会信用代码已注册');
    // The other categories typed stay checked.
    expect(res.text.match(/checked/g)).toHaveLength(2);
  });

  it('refuses a wrong check character, saying which one was expected', async () => {
    const fields = await registration(ctx);
    const code = fields.creditCode as string;
    const wrong = code.slice(0, 17) + (code[17] === 'A' ? 'B' : 'A');
    const res = await refused({ ...fields, creditCode: wrong });
    expect(res.text).toContain(`按前 17 位计算应为“${code[17]}”`);
    expect(res.text).toContain(`value="${wrong}"`);
  });

  it('refuses a code of the wrong length and one with a letter not allowed', async () => {
    const fields = await registration(ctx);
    const code = fields.creditCode as string;
    expect((await refused({ ...fields, creditCode: code.slice(0, 16) })).text).toContain('应为 18 位，您填写了 16 位');
    expect((await refused({ ...fields, creditCode: `O${code.slice(1)}` })).text).toContain('不能出现“O”');
  });

  it('does not tell whether a username is taken: the same answer, and an account of its own', async () => {
    await ctx.make.user('reviewer', { username: 'taken.name' });
    const taken = anonymous();
    const fresh = anonymous();
    const a = await register(taken, await registration(ctx, { username: 'taken.name' }));
    const b = await register(fresh, await registration(ctx, { username: 'never.used.name' }));
    expect([a.status, a.headers.location]).toEqual([b.status, b.headers.location]);
    expect(a.status).toBe(303);
    const [pageA, pageB] = await Promise.all([taken.get('/login'), fresh.get('/login')]);
    const said = (text: string) => /您的用户名是 ([a-z0-9._-]+)（/.exec(text)?.[1];
    expect(said(pageA.text)).toMatch(/^taken\.name-[a-z2-9]{4}$/);
    expect(said(pageB.text)).toMatch(/^never\.used\.name-[a-z2-9]{4}$/);
    expect(pageA.text).not.toContain('该用户名已被使用');
    // The existing account is untouched; the registrant signs in with the name they were given.
    expect((await ctx.db('users').where({ username: 'taken.name' }).first()).role).toBe('reviewer');
    await signIn(ctx, said(pageA.text)!, 'a long enough password');
  });

  it('refuses missing categories, a short password, a future founding date, a bad phone, e-mail and count', async () => {
    const fields = await registration(ctx, {
      password: 'short',
      foundedOn: '2027-01-01',
      contactPhone: 'call me',
      contactEmail: 'not-an-email',
      certifiedSocialWorkers: '-1',
    });
    delete (fields as Record<string, unknown>).categoryIds;
    const res = await refused(fields);
    expect(res.text).toContain('密码至少需要 12 个字符');
    expect(res.text).toContain('成立日期不能晚于今天');
    expect(res.text).toContain('例如 025-5212 3456');
    expect(res.text).toContain('name@example.org');
    expect(res.text).toContain('此项为必填项');
  });

  it('refuses an impossible date, a fractional count, an unknown type and an unknown category', async () => {
    const res = await refused(
      await registration(ctx, {
        foundedOn: '2020-02-30',
        certifiedSocialWorkers: '2.5',
        orgType: 'company',
        categoryIds: ['999999'],
      }),
    );
    expect(res.text).toContain('请从列表中选择');
    const unknownCategory = await refused(await registration(ctx, { categoryIds: ['999999'] }));
    expect(unknownCategory.text).toContain('请从列表中选择');
  });

  it('refuses lists where a single value is expected', async () => {
    const fields = await registration(ctx);
    const res = await refused({
      ...fields,
      name: ['甲', '乙'],
      creditCode: [fields.creditCode as string, fields.creditCode as string],
    });
    expect(res.text).toContain('此项应为一段文字');
  });

  it('refuses a post without the CSRF token (403), writing nothing', async () => {
    const before = await counts(ctx);
    const res = await anonymous().post('/organizations').type('form').send({ name: 'x' });
    expect(res.status).toBe(403);
    expect(await counts(ctx)).toEqual(before);
  });
});

describe('registrations racing for the same credit code or username', () => {
  const deps = () => ({ db: ctx.db, clock: ctx.clock, config: ctx.config });
  const input = async (overrides: Record<string, string | string[]> = {}) => {
    const f = await registration(ctx, overrides);
    return {
      name: f.name as string,
      creditCode: f.creditCode as string,
      orgType: 'social_group' as const,
      legalRepresentative: '李明',
      contactPerson: '王红',
      contactPhone: '025-5212 3456',
      contactEmail: null,
      foundedOn: '2018-04-01',
      certifiedSocialWorkers: 3,
      categoryIds: (f.categoryIds as string[]).map(Number),
      username: f.username as string,
      displayName: '王红',
      password: 'a long enough password',
    };
  };

  it('lets exactly one of two simultaneous registrations of one code succeed; the other gets the form error', async () => {
    const a = await input();
    const b = { ...(await input()), creditCode: a.creditCode };
    const before = await counts(ctx);
    const results = await Promise.allSettled([
      registerOrganization(deps(), systemActor, a),
      registerOrganization(deps(), systemActor, b),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failure.reason).toBeInstanceOf(ValidationFailed);
    expect(failure.reason.fieldErrors).toEqual({ creditCode: 'organizations.validation.creditCodeTaken' });
    const after = await counts(ctx);
    expect(after.orgs - before.orgs).toBe(1);
    expect(after.users - before.users).toBe(1);
  });

  it('gives two simultaneous registrations typing one username each an account', async () => {
    const a = await input();
    const b = { ...(await input()), username: a.username };
    const results = await Promise.all([
      registerOrganization(deps(), systemActor, a),
      registerOrganization(deps(), systemActor, b),
    ]);
    expect(results[0].username).not.toBe(results[1].username);
    expect(results.every((r) => r.username.startsWith(`${a.username}-`))).toBe(true);
    expect(Number((await ctx.db('organizations').whereIn('name', [a.name, b.name]).count({ n: '*' }).first())?.n)).toBe(
      2,
    );
  });
});

describe('registrations per address (issue 7, item 5)', () => {
  it('accepts a few per address per window, then refuses with when to try again, writing nothing', async () => {
    const local = await createTestContext({ registration: { perAddress: 3, windowMinutes: 60 } });
    try {
      for (let i = 0; i < 3; i++)
        expect((await register(request.agent(local.app), await registration(local))).status).toBe(303);
      const before = await counts(local);
      const fields = await registration(local);
      const res = await register(request.agent(local.app), fields);
      expect(res.status).toBe(429);
      expect(res.text).toContain('此网络地址提交的注册申请过多');
      expect(res.text).toContain('2026-11-25 11:00');
      expect(res.text).toContain(`value="${fields.name as string}"`);
      expect(res.headers['retry-after']).toBe(String(60 * 60));
      expect(await counts(local)).toEqual(before);
      local.clock.advance(60 * 60 * 1000);
      expect((await register(request.agent(local.app), await registration(local))).status).toBe(303);
    } finally {
      await local.close();
    }
  });

  it('counts by the client address behind a trusted proxy, not by what the client claims', async () => {
    const local = await createTestContext({ trustProxy: 1, registration: { perAddress: 1, windowMinutes: 60 } });
    try {
      const from = (xff: string) => async (fields: Record<string, string | string[]>) => {
        const agent = request.agent(local.app);
        const token = await csrfFrom(agent, '/organizations/new');
        return agent
          .post('/organizations')
          .set('X-Forwarded-For', xff)
          .type('form')
          .send(formBody({ _csrf: token, ...fields }));
      };
      expect((await from('198.51.100.1, 203.0.113.5')(await registration(local))).status).toBe(303);
      expect((await from('198.51.100.2, 203.0.113.5')(await registration(local))).status).toBe(429);
      expect((await from('203.0.113.6')(await registration(local))).status).toBe(303);
    } finally {
      await local.close();
    }
  });
});
