import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';
import { makeItem } from './factories';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const categoryId = async (code = 'legal_aid') =>
  String((await ctx.db('service_categories').where({ code }).first('id')).id);
const count = async () => Number((await ctx.db('catalog_items').count({ n: '*' }).first())?.n);

async function validForm(overrides: Record<string, string | string[]> = {}) {
  return {
    categoryId: await categoryId(),
    year: '2026',
    code: `FL-${Math.random().toString(36).slice(2, 8)}`,
    name: '社区法律咨询服务',
    description: '律师驻点提供法律咨询',
    serviceStandard: '每周不少于半天',
    unit: '社区·年',
    guidancePrice: '36,000.50',
    methods: ['contract_outsourcing', 'venture'],
    ...overrides,
  };
}

describe('browsing the catalogue (200), for everyone', () => {
  it('lists active items to an anonymous visitor and searches by Chinese keyword, category and year', async () => {
    await makeItem(ctx, { name: '居家养老上门助浴', year: 2026 });
    await makeItem(ctx, { name: '法律援助讲座', year: 2025, category_id: Number(await categoryId()) });
    await makeItem(ctx, { name: '已停用的养老项目', status: 'retired' });
    const all = await request(ctx.app).get('/catalog');
    expect(all.status).toBe(200);
    expect(all.text).toContain('居家养老上门助浴');
    expect(all.text).not.toContain('已停用的养老项目');
    const byWord = await request(ctx.app).get('/catalog?q=' + encodeURIComponent('助浴'));
    expect(byWord.text).toContain('居家养老上门助浴');
    expect(byWord.text).not.toContain('法律援助讲座');
    const byCategory = await request(ctx.app).get(`/catalog?category=${await categoryId()}`);
    expect(byCategory.text).toContain('法律援助讲座');
    expect(byCategory.text).not.toContain('居家养老上门助浴');
    const byYear = await request(ctx.app).get('/catalog?year=2025');
    expect(byYear.text).toContain('法律援助讲座');
    expect(byYear.text).not.toContain('居家养老上门助浴');
    const retired = await request(ctx.app).get('/catalog?status=retired');
    expect(retired.text).toContain('已停用的养老项目');
  });

  it('treats % and _ in the keyword literally, and odd query values as no filter', async () => {
    await makeItem(ctx, { name: '百分之百满意服务' });
    expect((await request(ctx.app).get('/catalog?q=%25')).text).not.toContain('百分之百满意服务');
    const odd = await request(ctx.app).get('/catalog?year=abc&category=x&page=-1&q=a&q=b');
    expect(odd.status).toBe(200);
  });

  it('paginates', async () => {
    for (let i = 0; i < 21; i += 1) await makeItem(ctx, { year: 2030, name: `分页项目${i}` });
    const first = await request(ctx.app).get('/catalog?year=2030');
    expect(first.text).toContain('第 1 / 2 页');
    const second = await request(ctx.app).get('/catalog?year=2030&page=2');
    expect(second.status).toBe(200);
    expect(second.text).toContain('第 2 / 2 页');
  });

  it('shows an item with its price, methods and keeper, in English too', async () => {
    const item = await makeItem(ctx, { name: '公益创投孵化', guidance_price_fen: 123456, methods: 'venture' });
    const page = await request(ctx.app).get(`/catalog/${item.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('¥1,234.56');
    expect(page.text).toContain('公益创投');
    expect(page.text).toContain('全区通用');
    expect(page.text).not.toContain('/retirement');
    const agent = request.agent(ctx.app);
    await agent.get('/login');
    const en = await agent.get(`/catalog/${item.id}`).set('Accept-Language', 'en');
    expect(en.status).toBe(200);
  });

  it('answers 404 for a missing or malformed id', async () => {
    expect((await request(ctx.app).get('/catalog/999999')).status).toBe(404);
    expect((await request(ctx.app).get('/catalog/abc')).status).toBe(404);
  });
});

describe('keeping the catalogue (303), audited', () => {
  it('lets a manager add an item to their own street office, whatever street office the form names', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const other = await ctx.make.streetOffice();
    const form = await validForm({ streetOfficeId: String(other.id) });
    const res = await postForm(agent, '/catalog', form, '/catalog/new');
    expect(res.status).toBe(303);
    const item = await ctx.db('catalog_items').where({ code: form.code }).first();
    expect(item.street_office_id).toBe(user.street_office_id);
    expect(Number(item.guidance_price_fen)).toBe(3600050);
    expect(item.methods).toBe('contract_outsourcing,venture');
    const event = await ctx
      .db('audit_events')
      .where({ action: 'catalog_item.create', subject_id: String(item.id) })
      .first();
    expect(event.street_office_id).toBe(user.street_office_id);
    expect(res.headers.location).toBe(`/catalog/${item.id}`);
  });

  it('lets the administrator add a district-wide item and one for a street office', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const wide = await validForm();
    expect((await postForm(agent, '/catalog', wide, '/catalog/new')).status).toBe(303);
    expect((await ctx.db('catalog_items').where({ code: wide.code }).first()).street_office_id).toBeNull();
    const street = await ctx.make.streetOffice();
    const local = await validForm({ streetOfficeId: String(street.id) });
    expect((await postForm(agent, '/catalog', local, '/catalog/new')).status).toBe(303);
    expect((await ctx.db('catalog_items').where({ code: local.code }).first()).street_office_id).toBe(street.id);
  });

  it('edits an item, keeping the old values in the audit trail', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await makeItem(ctx, { street_office_id: user.street_office_id, name: '旧名称' });
    const edit = await agent.get(`/catalog/${item.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('value="旧名称"');
    const res = await postForm(
      agent,
      `/catalog/${item.id}`,
      await validForm({ code: item.code, name: '新名称' }),
      `/catalog/${item.id}/edit`,
    );
    expect(res.status).toBe(303);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'catalog_item.update', subject_id: String(item.id) })
      .first();
    expect(JSON.parse(event.before_json).name).toBe('旧名称');
    expect(JSON.parse(event.after_json).name).toBe('新名称');
  });

  it('retires and reactivates an item, each audited; retiring twice is a 409', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await makeItem(ctx, { street_office_id: user.street_office_id });
    expect((await postForm(agent, `/catalog/${item.id}/retirement`, {}, `/catalog/${item.id}`)).status).toBe(303);
    expect((await ctx.db('catalog_items').where({ id: item.id }).first()).status).toBe('retired');
    expect((await postForm(agent, `/catalog/${item.id}/retirement`, {}, `/catalog/${item.id}`)).status).toBe(409);
    expect((await postForm(agent, `/catalog/${item.id}/reactivation`, {}, `/catalog/${item.id}`)).status).toBe(303);
    const actions = (
      await ctx
        .db('audit_events')
        .where({ subject_type: 'catalog_item', subject_id: String(item.id) })
        .select('action')
    ).map((r) => r.action);
    expect(actions).toEqual(['catalog_item.retire', 'catalog_item.reactivate']);
  });
});

describe('keeping the catalogue, refused (403/404)', () => {
  it("refuses a manager another street office's item and district-wide items, even with forged ids", async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const foreign = await makeItem(ctx, { street_office_id: (await ctx.make.streetOffice()).id, name: '别的街道项目' });
    const wide = await makeItem(ctx);
    for (const item of [foreign, wide]) {
      expect((await agent.get(`/catalog/${item.id}/edit`)).status).toBe(403);
      expect((await postForm(agent, `/catalog/${item.id}`, await validForm({ name: '越权修改' }))).status).toBe(403);
      expect((await postForm(agent, `/catalog/${item.id}/retirement`, {})).status).toBe(403);
      expect((await postForm(agent, `/catalog/${item.id}/reactivation`, {})).status).toBe(403);
    }
    expect(await ctx.db('catalog_items').where({ name: '越权修改' }).first()).toBeUndefined();
    expect((await ctx.db('catalog_items').where({ id: foreign.id }).first()).status).toBe('active');
  });

  it.each(['auditor', 'approver', 'reviewer', 'org_staff'] as const)(
    'refuses a %s every write, while letting them read',
    async (role) => {
      const { agent } = await loginAs(ctx, role);
      const item = await makeItem(ctx);
      const before = await count();
      expect((await agent.get(`/catalog/${item.id}`)).status).toBe(200);
      expect((await agent.get('/catalog/new')).status).toBe(403);
      expect((await postForm(agent, '/catalog', await validForm())).status).toBe(403);
      expect((await agent.get(`/catalog/${item.id}/edit`)).status).toBe(403);
      expect((await postForm(agent, `/catalog/${item.id}`, await validForm())).status).toBe(403);
      expect((await postForm(agent, `/catalog/${item.id}/retirement`, {})).status).toBe(403);
      expect(await count()).toBe(before);
    },
  );

  it('sends an anonymous visitor to sign in for the forms', async () => {
    expect((await request(ctx.app).get('/catalog/new')).status).toBe(303);
    expect((await request(ctx.app).post('/catalog').type('form').send({})).status).toBe(403);
  });

  it('answers 404 when editing an item that does not exist', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    expect((await agent.get('/catalog/999999/edit')).status).toBe(404);
    expect((await postForm(agent, '/catalog/999999/retirement', {})).status).toBe(404);
  });
});

describe('bad catalogue input (422), values kept, nothing written', () => {
  it('refuses missing fields, a bad price, a bad year and no methods', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const before = await count();
    const res = await postForm(
      agent,
      '/catalog',
      await validForm({ name: '', guidancePrice: '-5', year: '26', methods: [], unit: '场次' }),
      '/catalog/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('此项为必填项');
    expect(res.text).toContain('金额不能为负数');
    expect(res.text).toContain('请填写 2000 至 2100 之间的四位数年份');
    expect(res.text).toContain('请至少选择一种购买方式');
    expect(res.text).toContain('value="场次"');
    expect(await count()).toBe(before);
  });

  it('refuses an unknown method, an unknown category, and arrays where text is expected', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const before = await count();
    expect((await postForm(agent, '/catalog', await validForm({ methods: ['bribery'] }))).status).toBe(422);
    expect((await postForm(agent, '/catalog', await validForm({ categoryId: '99999' }))).status).toBe(422);
    expect((await postForm(agent, '/catalog', await validForm({ name: ['a', 'b'] }))).status).toBe(422);
    expect(await count()).toBe(before);
  });

  it('refuses a code already used in the same year, but allows it in another year', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    await makeItem(ctx, { code: 'DUP-1', year: 2026, street_office_id: user.street_office_id });
    const dup = await postForm(agent, '/catalog', await validForm({ code: 'DUP-1', name: '重复编码' }), '/catalog/new');
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('该年度已有使用此编码的目录项');
    expect(dup.text).toContain('value="重复编码"');
    expect((await postForm(agent, '/catalog', await validForm({ code: 'DUP-1', year: '2027' }))).status).toBe(303);
  });
});
