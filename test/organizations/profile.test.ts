import fs from 'node:fs';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs } from '../helpers/http';
import { categoryIds, counts, post } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function profileFields(overrides: Record<string, string | string[]> = {}) {
  return {
    name: '新名称社工服务中心',
    orgType: 'foundation',
    legalRepresentative: '陈刚',
    contactPerson: '陈小红',
    contactPhone: '+86 25 1234 5678',
    contactEmail: '',
    foundedOn: '2010-10-10',
    certifiedSocialWorkers: '15',
    categoryIds: await categoryIds(ctx, 'charity_relief'),
    ...overrides,
  };
}

describe('staff keep their profile (200/303)', () => {
  it.each(['pending', 'approved', 'rejected'])(
    'edits the profile while %s, audited with before and after, the credit code unchanged',
    async (status) => {
      const org = await ctx.make.organization({ status, name: '旧名称' });
      const { agent } = await loginAs(ctx, 'org_staff', { organization_id: org.id });
      const form = await agent.get(`/organizations/${org.id}/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('value="旧名称"');
      expect(form.text).not.toContain('name="creditCode"');
      const res = await post(
        agent,
        `/organizations/${org.id}`,
        { ...(await profileFields()), creditCode: '91350100M000100Y43' },
        `/organizations/${org.id}/edit`,
      );
      expect(res.status).toBe(303);
      const row = await ctx.db('organizations').where({ id: org.id }).first();
      expect(row).toMatchObject({
        name: '新名称社工服务中心',
        org_type: 'foundation',
        credit_code: org.credit_code,
        status,
      });
      expect(
        await ctx.db('organization_service_categories').where({ organization_id: org.id }).pluck('service_category_id'),
      ).toEqual((await categoryIds(ctx, 'charity_relief')).map(Number));
      const event = await ctx
        .db('audit_events')
        .where({ action: 'organization.update', subject_id: String(org.id) })
        .first();
      expect(JSON.parse(event.before_json).name).toBe('旧名称');
      expect(JSON.parse(event.after_json).name).toBe('新名称社工服务中心');
    },
  );

  it('shows managers approved organizations with contacts and documents', async () => {
    const org = await ctx.make.organization({ contact_phone: '0571-1111 2222' });
    const { agent } = await loginAs(ctx, 'manager');
    const res = await agent.get(`/organizations/${org.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('0571-1111 2222');
    expect(res.text).not.toContain('/approval"');
    expect(res.text).not.toContain(`/organizations/${org.id}/edit`);
  });

  it('shows auditors any organization, read-only', async () => {
    const org = await ctx.make.organization({ status: 'pending' });
    const { agent } = await loginAs(ctx, 'auditor');
    const res = await agent.get(`/organizations/${org.id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('enctype="multipart/form-data"');
    expect(res.text).not.toContain('/approval"');
  });
});

describe('refused profile edits', () => {
  it('re-shows the form with 422, the values typed and nothing written', async () => {
    const org = await ctx.make.organization({ name: '原名' });
    const { agent } = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const before = await counts(ctx);
    const res = await post(
      agent,
      `/organizations/${org.id}`,
      await profileFields({ name: '改了一半', foundedOn: '2099-01-01', categoryIds: [] }),
      `/organizations/${org.id}/edit`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="改了一半"');
    expect(res.text).toContain('成立日期不能晚于今天');
    expect(res.text).toContain('此项为必填项');
    expect(await counts(ctx)).toEqual(before);
    expect((await ctx.db('organizations').where({ id: org.id }).first()).name).toBe('原名');
  });

  it('refuses lists where text is expected (422)', async () => {
    const org = await ctx.make.organization();
    const { agent } = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const res = await post(
      agent,
      `/organizations/${org.id}`,
      await profileFields({ contactPhone: ['1', '2'] }),
      `/organizations/${org.id}/edit`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('此项应为一段文字');
  });

  it("gives staff of organization A a 404 for B's page, edit form, update and documents, without B's name", async () => {
    const b = await ctx.make.organization({ name: '乙机构不可见', status: 'pending' });
    const { agent } = await loginAs(ctx, 'org_staff');
    for (const path of [
      `/organizations/${b.id}`,
      `/organizations/${b.id}/edit`,
      `/organizations/${b.id}/documents/1`,
    ]) {
      const res = await agent.get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('乙机构不可见');
    }
    expect((await post(agent, `/organizations/${b.id}`, await profileFields())).status).toBe(404);
    expect((await ctx.db('organizations').where({ id: b.id }).first()).name).toBe('乙机构不可见');
  });

  it('freezes a suspended organization (404 to its staff for edit), and refuses other roles (403)', async () => {
    const org = await ctx.make.organization({ status: 'suspended' });
    const staff = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    expect((await staff.agent.get(`/organizations/${org.id}/edit`)).status).toBe(404);
    expect((await post(staff.agent, `/organizations/${org.id}`, await profileFields())).status).toBe(404);
    expect((await staff.agent.get(`/organizations/${org.id}`)).status).toBe(200);
    for (const role of ['admin', 'manager', 'auditor', 'approver', 'reviewer'] as const) {
      const { agent } = await loginAs(ctx, role);
      expect((await agent.get(`/organizations/${org.id}/edit`)).status).toBe(403);
      expect((await post(agent, `/organizations/${org.id}`, await profileFields())).status).toBe(403);
    }
  });

  it('refuses managers the page of an organization that is pending or rejected (403), and reviewers and approvers any (403)', async () => {
    const { agent: manager } = await loginAs(ctx, 'manager');
    for (const status of ['pending', 'rejected']) {
      const org = await ctx.make.organization({ status });
      expect((await manager.get(`/organizations/${org.id}`)).status).toBe(403);
    }
    const approved = await ctx.make.organization();
    for (const role of ['reviewer', 'approver'] as const) {
      expect((await (await loginAs(ctx, role)).agent.get(`/organizations/${approved.id}`)).status).toBe(403);
    }
  });
});

describe('documents at the default limit: a 50 MB or mislabelled file', () => {
  let big: TestContext;
  beforeAll(async () => {
    big = await createTestContext();
  });
  afterAll(() => big.close());

  it('refuses 50 MB with 413 and a mislabelled file with 422 on the same page, the kind kept, nothing stored', async () => {
    const { agent, user } = await loginAs(big, 'org_staff', {
      organization_id: (await big.make.organization({ status: 'pending' })).id,
    });
    const page = `/organizations/${user.organization_id}`;
    const fifty = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(50 * 1024 * 1024)]);
    let token = await csrfFrom(agent, page);
    const tooBig = await agent
      .post(`${page}/documents`)
      .field('_csrf', token)
      .field('kind', 'annual_inspection')
      .attach('file', fifty, '年检.pdf');
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toContain('文件过大');
    expect(tooBig.text).toMatch(/value="annual_inspection" selected/);
    token = await csrfFrom(agent, page);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const mislabelled = await agent
      .post(`${page}/documents`)
      .field('_csrf', token)
      .field('kind', 'charter')
      .attach('file', png, '章程.pdf');
    expect(mislabelled.status).toBe(422);
    expect(mislabelled.text).toContain('文件内容与扩展名不符');
    expect(mislabelled.text).toMatch(/value="charter" selected/);
    expect(Number((await big.db('stored_files').count({ n: '*' }).first())?.n)).toBe(0);
    expect(fs.readdirSync(big.config.uploadDir)).toEqual([]);
  });
});
