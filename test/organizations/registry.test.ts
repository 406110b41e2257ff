import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { categoryIds } from './helpers';
import { recordAudit, systemActor } from '../../src/audit/audit';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const anon = () => request(ctx.app);

async function orgWith(status: string, name: string, codes: string[], extra: Record<string, unknown> = {}) {
  const org = await ctx.make.organization({
    status,
    name,
    org_type: 'social_service_agency',
    certified_social_workers: 9,
    founded_on: '2015-06-01',
    contact_phone: '025-9999 8888',
    contact_email: 'secret@example.org',
    ...extra,
  });
  const ids = await categoryIds(ctx, ...codes);
  if (ids.length)
    await ctx
      .db('organization_service_categories')
      .insert(ids.map((id) => ({ organization_id: org.id, service_category_id: Number(id) })));
  // As the administrator's decision would: an audited change, which is what renews the public pages
  // kept for anonymous visitors (web/kept-pages.ts).
  await ctx.db.transaction((trx) =>
    recordAudit(
      trx,
      systemActor,
      { action: 'organization.approve', subjectType: 'organization', subjectId: org.id },
      ctx.clock.now(),
    ),
  );
  return org;
}

describe('the public registry (200)', () => {
  let approved: { id: number };
  let pending: { id: number };
  let rejected: { id: number };
  let suspended: { id: number };
  beforeAll(async () => {
    approved = await orgWith('approved', '名录养老服务中心', ['elderly_disability', 'legal_aid']);
    await orgWith('approved', '名录法律援助社', ['legal_aid']);
    pending = await orgWith('pending', '名录待审机构', ['elderly_disability']);
    rejected = await orgWith('rejected', '名录被拒机构', ['elderly_disability']);
    suspended = await orgWith('suspended', '名录暂停机构', ['elderly_disability']);
  });

  it('lists approved organizations only, with type, categories, social workers, founding date, and no contacts', async () => {
    const res = await anon().get('/registry');
    expect(res.status).toBe(200);
    expect(res.text).toContain('名录养老服务中心');
    expect(res.text).toContain('社会服务机构（民办非企业单位）');
    expect(res.text).toContain('养老助残、法律援助');
    expect(res.text).toContain('2015-06-01');
    expect(res.text).toContain('暂无');
    for (const hidden of ['名录待审机构', '名录被拒机构', '名录暂停机构', '025-9999 8888', 'secret@example.org'])
      expect(res.text).not.toContain(hidden);
  });

  it('filters by category and by keyword, and ignores odd parameters', async () => {
    const [elderly] = await categoryIds(ctx, 'elderly_disability');
    const byCategory = await anon().get(`/registry?category=${elderly}`);
    expect(byCategory.text).toContain('名录养老服务中心');
    expect(byCategory.text).not.toContain('名录法律援助社');
    const byKeyword = await anon().get(`/registry?q=${encodeURIComponent('法律')}`);
    expect(byKeyword.text).toContain('名录法律援助社');
    expect(byKeyword.text).not.toContain('名录养老服务中心');
    expect((await anon().get('/registry?q[]=a&category=x&page=-1')).status).toBe(200);
    expect((await anon().get('/registry?q=%25')).status).toBe(200);
  });

  it('paginates', async () => {
    for (let i = 0; i < 20; i++) await orgWith('approved', `分页机构${String(i).padStart(2, '0')}`, []);
    const res = await anon().get('/registry');
    expect(res.text).toMatch(/第 1 \/ 2 页/);
    expect((await anon().get('/registry?page=2')).text).toMatch(/第 2 \/ 2 页/);
  });

  it('shows the public profile of an approved organization, without contacts or documents, with its record as 暂无', async () => {
    const res = await anon().get(`/registry/${approved.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('名录养老服务中心');
    expect(res.text).toContain('已完成合同与平均评价');
    expect(res.text).toContain('暂无');
    expect(res.text).not.toContain('025-9999 8888');
    expect(res.text).not.toContain('secret@example.org');
    expect(res.text).not.toContain('/documents/');
  });

  it('is in English too', async () => {
    const res = await anon()
      .get(`/registry?q=${encodeURIComponent('名录养老')}`)
      .set('Cookie', 'sf.lang=en');
    expect(res.text).toContain('Registry of social organizations');
    expect(res.text).toContain('Elderly care and disability help, Legal aid');
    expect(res.text).toContain('None yet');
  });

  it('shows the registry link to everyone, and the review link to the administrator only', async () => {
    expect((await anon().get('/registry')).text).toContain('href="/registry"');
    const admin = await loginAs(ctx, 'admin');
    expect((await admin.agent.get('/dashboard')).text).toContain('href="/admin/organizations"');
    const manager = await loginAs(ctx, 'manager');
    const page = (await manager.agent.get('/dashboard')).text;
    expect(page).toContain('href="/registry"');
    expect(page).not.toContain('href="/admin/organizations"');
  });

  describe('refusals (404)', () => {
    it('does not show pending, rejected or suspended organizations, nor unknown ids', async () => {
      for (const org of [pending, rejected, suspended]) {
        const res = await anon().get(`/registry/${org.id}`);
        expect(res.status).toBe(404);
        expect(res.text).not.toMatch(/名录(待审|被拒|暂停)机构/);
      }
      expect((await anon().get('/registry/999999')).status).toBe(404);
      expect((await anon().get('/registry/abc')).status).toBe(404);
    });

    it('sends the public to sign in for the full profile', async () => {
      expect((await anon().get(`/organizations/${approved.id}`)).status).toBe(303);
    });
  });
});
