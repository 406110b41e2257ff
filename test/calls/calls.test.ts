import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { makeItem } from '../catalog/factories';
import { account, allocate, callForm, countOf, streetWithMoney } from './helpers';
import { minimalPdf } from '../helpers/pdf-fixture';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const PDF = minimalPdf();
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

async function postMultipart(
  agent: Agent,
  path: string,
  fields: Record<string, string>,
  files: [Buffer, string][],
  page = '/calls/new',
) {
  const token = await csrfFrom(agent, page);
  let req = agent.post(path).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const [buf, name] of files) req = req.attach('documents', buf, name);
  return req;
}

async function manager() {
  const { agent, user } = await loginAs(ctx, 'manager');
  const item = await streetWithMoney(ctx, user.street_office_id!);
  return { agent, user, item, street: user.street_office_id! };
}

async function draft(agent: Agent, itemId: number, overrides: Record<string, string> = {}) {
  const res = await postForm(agent, '/calls', callForm(itemId, overrides), '/calls/new');
  if (res.status !== 303) throw new Error(`draft failed with ${res.status}: ${res.text.slice(0, 2000)}`);
  return Number(/\/calls\/(\d+)$/.exec(res.headers.location)![1]);
}

async function published(agent: Agent, itemId: number, overrides: Record<string, string> = {}) {
  const id = await draft(agent, itemId, overrides);
  const res = await postForm(agent, `/calls/${id}/publication`, {}, `/calls/${id}`);
  if (res.status !== 303) throw new Error(`publish failed with ${res.status}`);
  return id;
}

describe('drafting and publishing a call (200/303)', () => {
  it("drafts a call in the manager's own street office, whatever the form says, with criteria, weights and documents, audited", async () => {
    const { agent, item, street } = await manager();
    const other = await ctx.make.streetOffice();
    const res = await postMultipart(
      agent,
      '/calls',
      callForm(item.id, {
        streetOfficeId: String(other.id),
        amount_fiscal: '200000',
        amount_lottery: '',
        criterion5Name: '',
        criterion5Weight: '',
      }),
      [[PDF, '招标文件.pdf']],
    );
    expect(res.status).toBe(303);
    const call = await ctx.db('calls').orderBy('id', 'desc').first();
    expect(call.street_office_id).toBe(street);
    expect(call.status).toBe('draft');
    expect(Number(call.budget_fen)).toBe(20_000_000);
    expect(call.closes_at).toBe('2026-12-20T09:00:00.000Z');
    expect(
      [call.weight_self, call.weight_manager, call.weight_peer, call.weight_citizen, call.weight_third_party].map(
        Number,
      ),
    ).toEqual([10, 30, 10, 20, 30]);
    expect(await ctx.db('call_criteria').where({ call_id: call.id }).orderBy('position').pluck('name')).toEqual([
      '服务方案',
      '团队资质',
      '报价',
    ]);
    expect(await countOf(ctx, 'call_documents', { call_id: call.id })).toBe(1);
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'call.draft', subject_id: String(call.id), street_office_id: street })
        .first(),
    ).toBeDefined();
    // A draft reserves nothing.
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(0);
  });

  it('shows the new-call form with the defaults of the product brief and the available funds', async () => {
    const { agent } = await manager();
    const page = await agent.get('/calls/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="weight_manager" type="text" value="30"');
    expect(page.text).toContain('name="publicityDays" type="text" value="7"');
    expect(page.text).toContain('可用：¥1,000,000.00');
  });

  it('publishes: the budget is reserved from the sources in the same transaction, audited; the public then finds the call', async () => {
    const { agent, item, street } = await manager();
    await allocate(ctx, street, 'lottery', 5_000_000);
    const id = await draft(agent, item.id, { amount_fiscal: '100000', amount_lottery: '20000' });
    const res = await postForm(agent, `/calls/${id}/publication`, {}, `/calls/${id}`);
    expect(res.status).toBe(303);
    expect((await ctx.db('calls').where({ id }).first()).status).toBe('published');
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(10_000_000);
    expect((await account(ctx, street, 'lottery')).reserved).toBe(2_000_000);
    expect(await countOf(ctx, 'fund_entries', { call_id: id, kind: 'reservation' })).toBe(2);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'call.publish', subject_id: String(id) })
      .first();
    expect(JSON.parse(event.after_json).reserved).toHaveLength(2);

    const list = await request(ctx.app).get('/calls');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/calls/${id}`);
    const page = await request(ctx.app).get(`/calls/${id}`);
    expect(page.status).toBe(200);
    for (const text of [
      '¥120,000.00',
      '财政资金',
      '福彩公益金',
      '2026-12-20 17:00',
      '服务方案',
      '第三方评估',
      '项目购买',
      '合同外包',
      '7 天',
    ])
      expect(page.text).toContain(text);
  });

  it('shows every page in English with no untranslated key', async () => {
    const { agent, item } = await manager();
    const id = await published(agent, item.id, { method: 'venture', perProjectCap: '1000' });
    await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { method: 'venture', perProjectCap: '1000', closesAt: '2026-12-24T17:00' }),
      `/calls/${id}/edit`,
    );
    for (const path of [
      '/calls',
      `/calls/${id}`,
      `/calls/${id}/edit`,
      '/calls/new',
      '/my/calls',
      '/catalog',
      `/catalog/${item.id}`,
    ]) {
      const res = await agent.get(path).set('Cookie', 'sf.lang=en');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).not.toMatch(/>\s*(calls|catalog|funds)\.[a-zA-Z.]+/);
      expect(res.text).not.toMatch(/[\u4e00-\u9fa5]{2,}(?=<\/(th|label|legend|dt)>)/);
    }
  });

  it('lets anyone download the documents of a published call', async () => {
    const { agent, item } = await manager();
    const res = await postMultipart(agent, '/calls', callForm(item.id), [[PDF, 'tor.pdf']]);
    const id = Number(/\/calls\/(\d+)$/.exec(res.headers.location)![1]);
    const doc = await ctx.db('call_documents').where({ call_id: id }).first();
    const url = `/calls/${id}/documents/${doc.id}`;
    expect((await request(ctx.app).get(url)).status).toBe(404); // still a draft
    expect((await agent.get(url).buffer(true)).status).toBe(200);
    await postForm(agent, `/calls/${id}/publication`, {}, `/calls/${id}`);
    const dl = await request(ctx.app).get(url).buffer(true);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    expect(dl.headers['content-type']).toBe('application/pdf');
  });

  it('drafts a venture call with a pool and a per-project cap', async () => {
    const { agent, item } = await manager();
    const id = await draft(agent, item.id, { method: 'venture', amount_fiscal: '500000', perProjectCap: '100000' });
    const call = await ctx.db('calls').where({ id }).first();
    expect(Number(call.per_project_cap_fen)).toBe(10_000_000);
    const page = await agent.get(`/calls/${id}`);
    expect(page.text).toContain('创投资金池');
    expect(page.text).toContain('¥100,000.00');
  });

  it('derives "closed" from the server clock at the deadline, and filters by it', async () => {
    const { agent, item } = await manager();
    const id = await published(agent, item.id, { title: '即将截止的公告', closesAt: '2026-11-30T17:00' });
    expect((await request(ctx.app).get('/calls?status=open')).text).toContain('即将截止的公告');
    ctx.clock.set('2026-11-30T09:00:00.000Z');
    const open = await request(ctx.app).get('/calls?status=open');
    expect(open.text).not.toContain('即将截止的公告');
    expect((await request(ctx.app).get('/calls?status=closed')).text).toContain('即将截止的公告');
    expect((await request(ctx.app).get(`/calls/${id}`)).text).toContain('已截止');
  });

  it('filters the public list by category, street office and method, sorted by closing time, paginated', async () => {
    const { agent, item, street } = await manager();
    await published(agent, item.id, { title: '后截止公告', closesAt: '2026-12-29T17:00' });
    await published(agent, item.id, { title: '先截止公告', closesAt: '2026-12-28T17:00' });
    const byStreet = await request(ctx.app).get(`/calls?street=${street}`);
    expect(byStreet.text.indexOf('先截止公告')).toBeLessThan(byStreet.text.indexOf('后截止公告'));
    expect((await request(ctx.app).get(`/calls?street=${street}&method=venture`)).text).not.toContain('先截止公告');
    expect((await request(ctx.app).get(`/calls?category=${item.category_id}&street=${street}`)).text).toContain(
      '先截止公告',
    );
    expect((await request(ctx.app).get('/calls?status=all&page=99&category=x&street[]=1')).status).toBe(200);
  });

  it("lists the street office's own calls, drafts included, for its manager, and all calls for the administrator", async () => {
    const { agent, item } = await manager();
    await draft(agent, item.id, { title: '本街道草稿' });
    const mine = await agent.get('/my/calls?status=draft');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('本街道草稿');
    const other = await manager();
    expect((await other.agent.get('/my/calls')).text).not.toContain('本街道草稿');
    const admin = (await loginAs(ctx, 'admin')).agent;
    expect((await admin.get('/my/calls?page=1')).text).toContain('本街道草稿');
  });
});

describe('amending and cancelling (303), recorded', () => {
  it('edits a draft without recording an amendment', async () => {
    const { agent, item } = await manager();
    const id = await draft(agent, item.id);
    const form = (await agent.get(`/calls/${id}/edit`)).text;
    expect(form).toContain('value="2026-12-20T17:00"');
    // The chosen catalogue item is repeated whole under its select, which a phone cuts off.
    expect(form).toMatch(new RegExp(`<p class="hint chosen">已选：[^<]*${item.code} [^<]*</p>`));
    const res = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { title: '改过的草稿标题' }),
      `/calls/${id}/edit`,
    );
    expect(res.status).toBe(303);
    expect((await ctx.db('calls').where({ id }).first()).title).toBe('改过的草稿标题');
    expect(await countOf(ctx, 'call_amendments', { call_id: id })).toBe(0);
  });

  it('amends a published call before the deadline: recorded with before/after and time, shown on the call', async () => {
    const { agent, item } = await manager();
    const id = await published(agent, item.id);
    ctx.clock.set('2026-11-25T02:20:00.000Z');
    const res = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { title: '变更后的标题' }),
      `/calls/${id}/edit`,
    );
    expect(res.status).toBe(303);
    const amendment = await ctx.db('call_amendments').where({ call_id: id }).first();
    expect(amendment.kind).toBe('amendment');
    expect(amendment.occurred_at).toBe('2026-11-25T02:20:00.000Z');
    expect(JSON.parse(amendment.changes_json)).toEqual([
      { field: 'title', before: '2026年东山街道居家养老上门服务项目', after: '变更后的标题' },
    ]);
    const page = await request(ctx.app).get(`/calls/${id}`);
    expect(page.text).toContain('2026-11-25 10:20');
    expect(page.text).toContain('变更后的标题');
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'call.amendment', subject_id: String(id) })
        .first(),
    ).toBeDefined();
  });

  it('re-reserves when the budget of a published call changes, in one transaction', async () => {
    const { agent, item, street } = await manager();
    const id = await published(agent, item.id, { amount_fiscal: '300000' });
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(30_000_000);
    const res = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { amount_fiscal: '900000' }),
      `/calls/${id}/edit`,
    );
    expect(res.status).toBe(303);
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(90_000_000);
    expect(Number((await ctx.db('calls').where({ id }).first()).budget_fen)).toBe(90_000_000);
    expect(await ctx.db('fund_entries').where({ call_id: id }).orderBy('id').pluck('kind')).toEqual([
      'reservation',
      'reservation_release',
      'reservation',
    ]);
    // More than the source holds (its own reservation counted back in) is refused, and nothing moves.
    const tooMuch = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { amount_fiscal: '1000000.01' }),
      `/calls/${id}/edit`,
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('财政资金可用资金不足，还差 ¥0.01');
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(90_000_000);
  });

  it('once bidding has opened, allows only a later deadline, and tells the bidders', async () => {
    const { agent, item } = await manager();
    const id = await published(agent, item.id, { opensAt: '2026-11-25T10:10' });
    ctx.clock.set('2026-11-25T02:15:00.000Z'); // bidding opened at 10:10 Shanghai (02:10 UTC)
    const bidder = await ctx.make.organization();
    const staff = await ctx.make.user('org_staff', { organization_id: bidder.id });
    const at = ctx.clock.now().toISOString();
    await ctx.db('bids').insert({
      call_id: id,
      organization_id: bidder.id,
      status: 'submitted',
      price_fen: 100,
      submitted_at: at,
      created_at: at,
      updated_at: at,
    });
    const refused = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { opensAt: '2026-11-25T10:10', title: '开标后改标题' }),
      `/calls/${id}/edit`,
    );
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('公告只能延长截止时间');
    expect(refused.text).toContain('value="开标后改标题"');
    // The refusal is the same whether or not anyone has bid: it says nothing about bids.
    expect(refused.text).not.toMatch(/投标已提交|已有投标/);
    const extended = await postForm(
      agent,
      `/calls/${id}`,
      callForm(item.id, { opensAt: '2026-11-25T10:10', closesAt: '2026-12-27T17:00' }),
      `/calls/${id}/edit`,
    );
    expect(extended.status).toBe(303);
    expect((await ctx.db('call_amendments').where({ call_id: id }).first()).kind).toBe('deadline_extension');
    const told = await ctx.db('notifications').where({ user_id: staff.id, kind: 'call.changed' }).first();
    expect(told.link).toBe(`/calls/${id}`);
  });

  it('refuses amendments after the deadline (409)', async () => {
    const { agent, item, street } = await manager();
    const id = await published(agent, item.id, { closesAt: '2026-11-28T17:00' });
    ctx.clock.set('2026-12-01T00:00:00.000Z');
    // The first session has expired by then; a colleague of the same street office signs in.
    const colleague = (await loginAs(ctx, 'manager', { street_office_id: street })).agent;
    const res = await postForm(
      colleague,
      `/calls/${id}`,
      callForm(item.id, { closesAt: '2026-12-28T17:00' }),
      `/calls/${id}`,
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('投标已截止，公告不能再变更');
    expect((await colleague.get(`/calls/${id}/edit`)).status).toBe(409);
    expect(await countOf(ctx, 'call_amendments', { call_id: id })).toBe(0);
  });

  it('cancels a published call, releasing its reservation, audited; a draft is cancelled without touching funds', async () => {
    const { agent, item, street } = await manager();
    const id = await published(agent, item.id);
    const bidder = await ctx.make.user('org_staff');
    const at = ctx.clock.now().toISOString();
    await ctx.db('bids').insert({
      call_id: id,
      organization_id: bidder.organization_id,
      status: 'draft',
      created_at: at,
      updated_at: at,
    });
    const res = await postForm(agent, `/calls/${id}/cancellation`, { reason: '服务需求调整' }, `/calls/${id}`);
    expect(res.status).toBe(303);
    expect(await ctx.db('notifications').where({ user_id: bidder.id, kind: 'call.changed' }).first()).toBeDefined();
    const call = await ctx.db('calls').where({ id }).first();
    expect(call.status).toBe('cancelled');
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(0);
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'call.cancel', subject_id: String(id) })
        .first(),
    ).toBeDefined();
    expect((await request(ctx.app).get(`/calls/${id}`)).text).toContain('服务需求调整');
    expect((await postForm(agent, `/calls/${id}/cancellation`, { reason: '再次' }, `/calls/${id}`)).status).toBe(409);
    const draftId = await draft(agent, item.id);
    expect(
      (await postForm(agent, `/calls/${draftId}/cancellation`, { reason: '不做了' }, `/calls/${draftId}`)).status,
    ).toBe(303);
    expect(await countOf(ctx, 'fund_entries', { call_id: draftId })).toBe(0);
  });
});

describe('calls, refused (403/404)', () => {
  it('hides drafts from the public, other managers, auditors and organizations (404)', async () => {
    const { agent, item } = await manager();
    const id = await draft(agent, item.id, { title: '保密的草稿' });
    const others = [
      request.agent(ctx.app),
      (await manager()).agent,
      (await loginAs(ctx, 'auditor')).agent,
      (await loginAs(ctx, 'org_staff')).agent,
    ];
    for (const other of others) {
      const res = await other.get(`/calls/${id}`);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('保密的草稿');
    }
    expect((await request(ctx.app).get('/calls?status=all')).text).not.toContain('保密的草稿');
    expect((await (await loginAs(ctx, 'admin')).agent.get(`/calls/${id}`)).status).toBe(200);
  });

  it('refuses an organization, an auditor, an approver, a reviewer and the administrator every write, while they read published calls', async () => {
    const { agent, item } = await manager();
    const draftId = await draft(agent, item.id);
    const pubId = await published(agent, item.id);
    const before = await countOf(ctx, 'calls');
    for (const role of ['org_staff', 'auditor', 'approver', 'reviewer', 'admin'] as const) {
      const other = (await loginAs(ctx, role)).agent;
      expect((await other.get(`/calls/${pubId}`)).status).toBe(200);
      expect((await other.get('/calls/new')).status).toBe(403);
      expect((await postForm(other, '/calls', callForm(item.id))).status).toBe(403);
      expect((await postForm(other, `/calls/${draftId}/publication`, {})).status).toBe(403);
      expect((await postForm(other, `/calls/${pubId}/cancellation`, { reason: 'x' })).status).toBe(403);
      expect((await postForm(other, `/calls/${pubId}`, callForm(item.id, { title: '越权' }))).status).toBe(403);
      expect((await other.get(`/calls/${pubId}/edit`)).status).toBe(403);
    }
    expect(await countOf(ctx, 'calls')).toBe(before);
    expect((await ctx.db('calls').where({ id: draftId }).first()).status).toBe('draft');
    expect((await ctx.db('calls').where({ id: pubId }).first()).status).toBe('published');
  });

  it("refuses a manager another street office's calls: 404 for drafts, 403 for published ones", async () => {
    const { agent, item } = await manager();
    const draftId = await draft(agent, item.id);
    const pubId = await published(agent, item.id);
    const other = (await manager()).agent;
    expect((await postForm(other, `/calls/${draftId}/publication`, {})).status).toBe(404);
    expect((await other.get(`/calls/${draftId}/edit`)).status).toBe(404);
    expect((await postForm(other, `/calls/${pubId}/cancellation`, { reason: '越权撤销' })).status).toBe(403);
    expect((await postForm(other, `/calls/${pubId}`, callForm(item.id, { title: '越权变更' }))).status).toBe(403);
    expect((await other.get(`/calls/${pubId}/edit`)).status).toBe(403);
    expect((await ctx.db('calls').where({ id: pubId }).first()).status).toBe('published');
    expect(await countOf(ctx, 'call_amendments', { call_id: pubId })).toBe(0);
  });

  it("refuses a call drafted from another street office's catalogue item", async () => {
    const { agent } = await manager();
    const foreign = await makeItem(ctx, { street_office_id: (await ctx.make.streetOffice()).id });
    const res = await postForm(agent, '/calls', callForm(foreign.id), '/calls/new');
    expect(res.status).toBe(422);
    expect(res.text).toContain('请从列表中选择');
  });

  it("answers 404 for a forged document id of another call's file and for missing calls", async () => {
    const { agent, item } = await manager();
    const a = await published(agent, item.id);
    const res = await postMultipart(agent, '/calls', callForm(item.id), [[PDF, 'b.pdf']]);
    const b = Number(/\/calls\/(\d+)$/.exec(res.headers.location)![1]);
    const bDoc = await ctx.db('call_documents').where({ call_id: b }).first();
    expect((await request(ctx.app).get(`/calls/${a}/documents/${bDoc.id}`)).status).toBe(404);
    expect((await request(ctx.app).get('/calls/999999')).status).toBe(404);
    expect((await request(ctx.app).get('/calls/abc')).status).toBe(404);
  });

  it('sends an anonymous visitor to sign in for manager pages', async () => {
    expect((await request(ctx.app).get('/calls/new')).status).toBe(303);
    expect((await request(ctx.app).get('/my/calls')).status).toBe(303);
  });
});

describe('bad call input (422/413), values kept, nothing written', () => {
  const nothingWritten = async (fn: () => Promise<void>) => {
    const before = await Promise.all(
      [
        'calls',
        'call_fund_sources',
        'call_criteria',
        'call_documents',
        'stored_files',
        'fund_entries',
        'audit_events',
      ].map((t) => countOf(ctx, t)),
    );
    await fn();
    const after = await Promise.all(
      [
        'calls',
        'call_fund_sources',
        'call_criteria',
        'call_documents',
        'stored_files',
        'fund_entries',
        'audit_events',
      ].map((t) => countOf(ctx, t)),
    );
    expect(after).toEqual(before);
  };

  it('refuses criteria weights and evaluation weights that do not sum to 100', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      const res = await postForm(
        agent,
        '/calls',
        callForm(item.id, { criterion3Weight: '20', weight_citizen: '25', title: '权重错误的公告' }),
        '/calls/new',
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('评分项权重合计应为 100，当前为 90');
      expect(res.text).toContain('五项评估权重合计应为 100，当前为 105');
      expect(res.text).toContain('value="权重错误的公告"');
      expect(res.text).toContain('value="25"');
    });
  });

  it('refuses fractional or half-filled weights', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      const res = await postForm(
        agent,
        '/calls',
        callForm(item.id, { weight_self: '10.5', criterion4Name: '其他' }),
        '/calls/new',
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('每项评估权重应为 0–100 的整数');
      expect(res.text).toContain('第 4 行须同时填写评分项名称');
    });
  });

  it('refuses a closing time in the past, and an opening after the closing', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      const res = await postForm(
        agent,
        '/calls',
        callForm(item.id, { opensAt: '2026-11-01T09:00', closesAt: '2026-11-20T17:00' }),
        '/calls/new',
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('截止时间已过，请填写将来的时间');
      expect(res.text).toContain('value="2026-11-20T17:00"');
      const order = await postForm(agent, '/calls', callForm(item.id, { opensAt: '2026-12-25T09:00' }), '/calls/new');
      expect(order.status).toBe(422);
      expect(order.text).toContain('开始时间必须早于截止时间');
    });
  });

  it('refuses a budget above the available funds of its source, naming the source and the shortfall', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      const res = await postForm(
        agent,
        '/calls',
        callForm(item.id, { amount_fiscal: '1000500', amount_donation: '10' }),
        '/calls/new',
      );
      expect(res.status).toBe(422);
      expect(res.text).toContain('财政资金可用资金不足，还差 ¥500.00');
      expect(res.text).toContain('社会捐赠可用资金不足，还差 ¥10.00');
      expect(res.text).toContain('value="1000500"');
    });
  });

  it('refuses a publish the funds can no longer cover: 422 naming the source, the call stays draft', async () => {
    const { agent, item, street } = await manager();
    const id = await draft(agent, item.id, { amount_fiscal: '600000' });
    await published(agent, item.id, { amount_fiscal: '600000' });
    await nothingWritten(async () => {
      const res = await postForm(agent, `/calls/${id}/publication`, {}, `/calls/${id}`);
      expect(res.status).toBe(422);
      expect(res.text).toContain('财政资金可用资金不足，还差 ¥200,000.00');
    });
    expect((await ctx.db('calls').where({ id }).first()).status).toBe('draft');
    expect((await account(ctx, street, 'fiscal')).reserved).toBe(60_000_000);
  });

  it('refuses a publish after the closing time has passed', async () => {
    const { agent, item, street } = await manager();
    const id = await draft(agent, item.id, { closesAt: '2026-11-26T17:00' });
    ctx.clock.set('2026-11-27T00:00:00.000Z');
    const colleague = (await loginAs(ctx, 'manager', { street_office_id: street })).agent;
    await nothingWritten(async () => {
      const res = await postForm(colleague, `/calls/${id}/publication`, {}, `/calls/${id}`);
      expect(res.status).toBe(422);
      expect(res.text).toContain('截止时间已过');
    });
  });

  it('refuses a 50 MB document with 413 and a mislabelled one with 422, keeping the values', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      const big = await postMultipart(agent, '/calls', callForm(item.id, { title: '带大附件的公告' }), [
        [Buffer.alloc(50 * 1024 * 1024, 0x25), 'huge.pdf'],
      ]);
      expect(big.status).toBe(413);
      expect(big.text).toContain('文件过大');
      expect(big.text).toContain('value="带大附件的公告"');
      const fake = await postMultipart(agent, '/calls', callForm(item.id, { title: '带假附件的公告' }), [
        [PNG, 'terms.pdf'],
      ]);
      expect(fake.status).toBe(422);
      expect(fake.text).toContain('文件内容与扩展名不符');
      expect(fake.text).toContain('value="带假附件的公告"');
      const exe = await postMultipart(agent, '/calls', callForm(item.id), [[Buffer.from('MZ'), 'setup.exe']]);
      expect(exe.status).toBe(422);
    });
  });

  it('refuses a venture cap above the pool, a method the item does not allow, a retired item and a year that does not match', async () => {
    const { agent, item, user } = await manager();
    const tenderOnly = await makeItem(ctx, {
      street_office_id: user.street_office_id,
      methods: 'contract_outsourcing',
    });
    const retired = await makeItem(ctx, { street_office_id: user.street_office_id, status: 'retired' });
    await nothingWritten(async () => {
      const cap = await postForm(
        agent,
        '/calls',
        callForm(item.id, { method: 'venture', perProjectCap: '300000.01' }),
        '/calls/new',
      );
      expect(cap.text).toContain('单个项目资助上限不能超过资金池');
      const noCap = await postForm(agent, '/calls', callForm(item.id, { method: 'venture' }), '/calls/new');
      expect(noCap.text).toContain('公益创投须填写单个项目资助上限');
      const method = await postForm(
        agent,
        '/calls',
        callForm(tenderOnly.id, { method: 'venture', perProjectCap: '1000' }),
        '/calls/new',
      );
      expect(method.status).toBe(422);
      expect(method.text).toContain('所选目录项不允许此购买方式');
      expect((await postForm(agent, '/calls', callForm(retired.id), '/calls/new')).text).toContain('该目录项已停用');
      const year = await postForm(agent, '/calls', callForm(item.id, { budgetYear: '2027' }), '/calls/new');
      expect(year.text).toContain('目录项适用于 2026 年度');
    });
  });

  it('refuses arrays where text is expected, unknown choices and a missing cancellation reason', async () => {
    const { agent, item } = await manager();
    await nothingWritten(async () => {
      expect((await postForm(agent, '/calls', { ...callForm(item.id), title: ['a', 'b'] }, '/calls/new')).status).toBe(
        422,
      );
      expect((await postForm(agent, '/calls', callForm(item.id, { fundingMode: 'gift' }), '/calls/new')).status).toBe(
        422,
      );
      expect((await postForm(agent, '/calls', callForm(item.id, { amount_fiscal: '0' }), '/calls/new')).text).toContain(
        '请至少为一个资金来源填写大于零的金额',
      );
      expect((await postForm(agent, '/calls', callForm(item.id, { publicityDays: '0' }), '/calls/new')).text).toContain(
        '公示期应为 1 至 60 之间的整数天数',
      );
    });
    const id = await draft(agent, item.id);
    const res = await postForm(agent, `/calls/${id}/cancellation`, { reason: '' }, `/calls/${id}`);
    expect(res.status).toBe(422);
    expect((await ctx.db('calls').where({ id }).first()).status).toBe('draft');
  });
});
