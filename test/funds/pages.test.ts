import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { reserveForCall } from '../../src/modules/funds';

let ctx: TestContext;
let streetA: number;
let streetB: number;
let managerA: Agent;
let managerB: Agent;
let admin: Agent;
let auditorA: Agent;
let approverA: Agent;

beforeAll(async () => {
  ctx = await createTestContext();
  streetA = (await ctx.make.streetOffice({ name: '甲街道' })).id;
  streetB = (await ctx.make.streetOffice({ name: '乙街道' })).id;
  managerA = (await loginAs(ctx, 'manager', { street_office_id: streetA })).agent;
  managerB = (await loginAs(ctx, 'manager', { street_office_id: streetB })).agent;
  approverA = (await loginAs(ctx, 'approver', { street_office_id: streetA })).agent;
  admin = (await loginAs(ctx, 'admin')).agent;
  auditorA = (await loginAs(ctx, 'auditor', { auditStreets: [streetA] })).agent;
});
afterAll(() => ctx.close());

const NEW = '/funds/allocations/new';
const page = (street: number, year: number) => `/funds/streets/${street}/years/${year}`;
const allocate = (agent: Agent, fields: Record<string, string | string[]>) =>
  postForm(
    agent,
    '/funds/allocations',
    {
      street_office_id: String(streetA),
      year: '2026',
      source: 'fiscal',
      amount: '1000.00',
      note: '测试文号',
      _once: crypto.randomUUID(),
      ...fields,
    },
    NEW,
  );
const entryCount = async () => Number((await ctx.db('fund_entries').count({ n: '*' }).first())?.n);
const account = (street: number, year: number, source: string) =>
  ctx.db('fund_accounts').where({ street_office_id: street, year, source }).first();
const lastEntry = (street: number) =>
  ctx.db('fund_entries').where({ street_office_id: street }).orderBy('id', 'desc').first();

describe('recording allocations (303)', () => {
  it('a manager records an allocation for their own street office, and it is audited', async () => {
    const res = await allocate(managerA, { source: 'lottery', amount: '¥1,234.56', note: '宁江民福〔2026〕5号' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(page(streetA, 2026));
    expect(await account(streetA, 2026, 'lottery')).toMatchObject({ allocated_fen: 123456, reserved_fen: 0 });
    const entry = await lastEntry(streetA);
    expect(entry).toMatchObject({
      kind: 'allocation',
      source: 'lottery',
      amount_fen: 123456,
      note: '宁江民福〔2026〕5号',
    });
    const event = await ctx
      .db('audit_events')
      .where({ action: 'funds.allocate', subject_id: String(entry.id) })
      .first();
    expect(event.street_office_id).toBe(streetA);
    expect(JSON.parse(event.after_json)).toEqual({
      year: 2026,
      source: 'lottery',
      amount_fen: 123456,
      note: '宁江民福〔2026〕5号',
    });
    expect((await managerA.get(page(streetA, 2026))).text).toContain('已登记');
  });

  it('refuses an allocation posted without the form\u2019s one-time key (422, the form again, nothing written)', async () => {
    const { agent } = await loginAs(ctx, 'manager', { street_office_id: streetA });
    const before = await entryCount();
    const res = await allocate(agent, { _once: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('一次性提交标识');
    expect(res.text).toContain('测试文号');
    expect(await entryCount()).toBe(before);
  });

  it('a second allocation of the same source adds to the balance as a new ledger entry', async () => {
    await allocate(managerA, { source: 'lottery', amount: '0.44' });
    expect((await account(streetA, 2026, 'lottery')).allocated_fen).toBe(123500);
    expect(
      await ctx
        .db('fund_entries')
        .where({ street_office_id: streetA, source: 'lottery', kind: 'allocation' })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 2 });
  });

  it('the administrator records an allocation for any street office', async () => {
    expect((await admin.get(NEW)).text).toContain('乙街道');
    const res = await allocate(admin, { street_office_id: String(streetB), source: 'donation', amount: '50' });
    expect(res.status).toBe(303);
    expect((await account(streetB, 2026, 'donation')).allocated_fen).toBe(5000);
  });

  it('the form offers a manager only their own street office', async () => {
    const res = await managerA.get(`${NEW}?year=2025&source=donation`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('甲街道');
    expect(res.text).not.toContain('乙街道');
    expect(res.text).toContain('value="2025"');
    expect(res.text).toMatch(/<option value="donation" selected>/);
  });
});

describe('the street-year page (200)', () => {
  let street: number;
  let manager: Agent;
  beforeAll(async () => {
    street = (await ctx.make.streetOffice({ name: '丙街道' })).id;
    manager = (await loginAs(ctx, 'manager', { street_office_id: street })).agent;
    const base = { street_office_id: String(street) };
    await allocate(manager, { ...base, year: '2025', source: 'fiscal', amount: '1000000' });
    await allocate(manager, { ...base, year: '2026', source: 'fiscal', amount: '1200000' });
    await allocate(manager, { ...base, year: '2026', source: 'donation', amount: '50000' });
  });

  it('shows balances per source and in total, the ledger, and growth against the previous year', async () => {
    const res = await manager.get(page(street, 2026));
    expect(res.status).toBe(200);
    expect(res.text).toContain('丙街道 2026 年专项资金');
    expect(res.text).toContain('¥1,250,000.00'); // total allocated
    expect(res.text).toContain('+¥250,000.00'); // total growth
    expect(res.text).toContain('+25.00%');
    expect(res.text).toContain('+20.00%'); // fiscal: 1,000,000 -> 1,200,000
    expect(res.text).toContain('上年无下达'); // donations: nothing in 2025
    expect(res.text).toContain('测试文号');
    expect(res.text).toContain('登记资金拨付');
    expect(res.text).toContain('/reversal');
  });

  it('warns when the total allocation is below ¥2,000,000 and not when it reaches it', async () => {
    expect((await manager.get(page(street, 2026))).text).toContain('低于每个街道每年不少于 ¥2,000,000.00 的要求');
    await allocate(manager, { street_office_id: String(street), year: '2026', source: 'lottery', amount: '750000' });
    const res = await manager.get(page(street, 2026));
    expect(res.text).toContain('¥2,000,000.00');
    expect(res.text).not.toContain('的要求');
  });

  it('shows a fall as negative growth, in English too', async () => {
    await allocate(manager, { street_office_id: String(street), year: '2027', source: 'fiscal', amount: '500000' });
    const res = await manager.get(page(street, 2027));
    expect(res.text).toContain('-¥1,500,000.00');
    expect(res.text).toContain('-75.00%');
    expect((await postForm(manager, '/language', { lang: 'en', returnTo: '/dashboard' })).status).toBe(303);
    const en = await manager.get(page(street, 2027));
    expect(en.text).toContain('funds for 2027');
    expect(en.text).toContain('-75.00%');
    expect(en.text).toContain('below the required minimum of ¥2,000,000.00');
    await postForm(manager, '/language', { lang: 'zh-CN', returnTo: '/dashboard' });
  });

  it('paginates the ledger', async () => {
    const s = (await ctx.make.streetOffice()).id;
    const m = (await loginAs(ctx, 'manager', { street_office_id: s })).agent;
    for (let i = 1; i <= 21; i++)
      await allocate(m, { street_office_id: String(s), amount: String(i), note: `第${i}笔` });
    const first = await m.get(page(s, 2026));
    expect(first.text).toContain('第21笔');
    expect(first.text).not.toContain('第1笔<');
    const second = await m.get(`${page(s, 2026)}?page=2`);
    expect(second.text).toContain('第1笔<');
  });

  it('is readable, without write links, by an assigned auditor and the street office approver', async () => {
    for (const agent of [auditorA, approverA]) {
      const res = await agent.get(page(streetA, 2026));
      expect(res.status).toBe(200);
      expect(res.text).toContain('甲街道');
      expect(res.text).not.toContain('/funds/allocations/new');
      expect(res.text).not.toContain('/reversal');
    }
  });
});

describe('the district overview (200)', () => {
  it('lists every street office and year for the administrator, with totals, flags and growth', async () => {
    const res = await admin.get('/funds?year=2026');
    expect(res.status).toBe(200);
    expect(res.text).toContain('甲街道');
    expect(res.text).toContain('乙街道');
    expect(res.text).toContain('丙街道');
    expect(res.text).toContain('低于 200 万元');
    expect(res.text).toContain('达标');
    expect(res.text).toContain('+100.00%'); // 丙街道: ¥1,000,000 in 2025, ¥2,000,000 in 2026
  });

  it('shows an auditor only the assigned street offices', async () => {
    const res = await auditorA.get('/funds');
    expect(res.status).toBe(200);
    expect(res.text).toContain('甲街道');
    expect(res.text).not.toContain('乙街道');
    expect(res.text).not.toContain('/funds/allocations/new');
  });

  it('filters by year and by the floor, and shows a street office with nothing this year', async () => {
    const empty = await ctx.make.streetOffice({ name: '空街道' });
    const res = await admin.get('/funds?year=2026&below=1');
    expect(res.text).toContain('空街道');
    expect(res.text).not.toContain('丙街道'); // 2026 reached the floor
    expect((await admin.get('/funds?year=2025')).text).not.toContain(`/funds/streets/${empty.id}/years/2026`);
    expect((await admin.get('/funds?year=abc&page=x')).status).toBe(200);
  });

  it('shows a manager their own street office only', async () => {
    const res = await managerB.get('/funds');
    expect(res.text).toContain('乙街道');
    expect(res.text).not.toContain('甲街道');
  });
});

describe('the manager dashboard', () => {
  it('warns when this year is below ¥2,000,000', async () => {
    const res = await managerA.get('/dashboard');
    expect(res.text).toContain('2026 年专项资金');
    expect(res.text).toContain('的要求');
  });

  it('does not warn once the floor is reached', async () => {
    const s = (await ctx.make.streetOffice()).id;
    const m = (await loginAs(ctx, 'manager', { street_office_id: s })).agent;
    await allocate(m, { street_office_id: String(s), amount: '2000000' });
    const res = await m.get('/dashboard');
    expect(res.text).toContain('¥2,000,000.00');
    expect(res.text).not.toContain('的要求');
  });
});

describe('reversals', () => {
  it('reverse an allocation with a reason, once, and are audited', async () => {
    await allocate(managerA, { source: 'development_fund', amount: '300000', note: '多录' });
    const entry = await lastEntry(streetA);
    const form = await managerA.get(`/funds/entries/${entry.id}/reversal`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('¥300,000.00');
    const res = await postForm(
      managerA,
      `/funds/entries/${entry.id}/reversal`,
      { reason: '金额录入错误' },
      `/funds/entries/${entry.id}/reversal`,
    );
    expect(res.status).toBe(303);
    expect((await account(streetA, 2026, 'development_fund')).allocated_fen).toBe(0);
    const reversal = await lastEntry(streetA);
    expect(reversal).toMatchObject({
      kind: 'reversal',
      amount_fen: 30000000,
      reverses_entry_id: entry.id,
      note: '金额录入错误',
    });
    const event = await ctx
      .db('audit_events')
      .where({ action: 'funds.reverse', subject_id: String(reversal.id) })
      .first();
    expect(JSON.parse(event.before_json)).toMatchObject({ entry_id: entry.id, amount_fen: 30000000 });
    expect(JSON.parse(event.after_json)).toEqual({
      reverses_entry_id: entry.id,
      amount_fen: 30000000,
      reason: '金额录入错误',
    });
    expect((await managerA.get(page(streetA, 2026))).text).toContain(`已被 #${reversal.id} 冲销`);

    // Once only; and a reversal itself cannot be reversed (409, nothing written).
    const before = await entryCount();
    expect((await managerA.get(`/funds/entries/${entry.id}/reversal`)).status).toBe(409);
    expect((await postForm(managerA, `/funds/entries/${entry.id}/reversal`, { reason: '再来一次' })).status).toBe(409);
    expect((await postForm(managerA, `/funds/entries/${reversal.id}/reversal`, { reason: 'x' })).status).toBe(409);
    expect(await entryCount()).toBe(before);
  });

  it('the administrator reverses in any street office', async () => {
    await allocate(admin, { street_office_id: String(streetB), source: 'fiscal', amount: '10' });
    const entry = await lastEntry(streetB);
    expect((await postForm(admin, `/funds/entries/${entry.id}/reversal`, { reason: '重复登记' })).status).toBe(303);
  });
});

describe('refused (403 / 401 / 404)', () => {
  it.each(['org_staff', 'reviewer'] as const)('a %s reaches no funds page', async (role) => {
    const { agent } = await loginAs(ctx, role);
    const entry = await lastEntry(streetA);
    expect((await agent.get('/funds')).status).toBe(403);
    expect((await agent.get(page(streetA, 2026))).status).toBe(403);
    expect((await agent.get(NEW)).status).toBe(403);
    expect((await agent.get(`/funds/entries/${entry.id}/reversal`)).status).toBe(403);
    const before = await entryCount();
    expect((await allocate(agent, {})).status).toBe(403);
    expect((await postForm(agent, `/funds/entries/${entry.id}/reversal`, { reason: 'x' })).status).toBe(403);
    expect(await entryCount()).toBe(before);
  });

  it('an approver reads their own street office but writes nothing, and reads no other', async () => {
    const entry = await lastEntry(streetA);
    expect((await approverA.get(page(streetB, 2026))).status).toBe(403);
    expect((await approverA.get(NEW)).status).toBe(403);
    expect((await approverA.get(`/funds/entries/${entry.id}/reversal`)).status).toBe(403);
    const before = await entryCount();
    expect((await allocate(approverA, {})).status).toBe(403);
    expect(await entryCount()).toBe(before);
  });

  it('an auditor reads only assigned street offices and never writes', async () => {
    const entry = await lastEntry(streetA);
    expect((await auditorA.get(page(streetB, 2026))).status).toBe(403);
    expect((await auditorA.get(NEW)).status).toBe(403);
    expect((await auditorA.get(`/funds/entries/${entry.id}/reversal`)).status).toBe(403);
    const before = await entryCount();
    expect((await allocate(auditorA, {})).status).toBe(403);
    expect((await postForm(auditorA, `/funds/entries/${entry.id}/reversal`, { reason: 'x' })).status).toBe(403);
    expect(await entryCount()).toBe(before);
  });

  it("a manager of another street office can neither read nor write this one's funds, forged street id included", async () => {
    const entry = await lastEntry(streetA);
    expect((await managerB.get(page(streetA, 2026))).status).toBe(403);
    expect((await managerB.get(`/funds/entries/${entry.id}/reversal`)).status).toBe(403);
    const before = await entryCount();
    const allocatedBefore = (await account(streetA, 2026, 'fiscal'))?.allocated_fen ?? 0;
    expect((await allocate(managerB, { street_office_id: String(streetA) })).status).toBe(403);
    expect((await allocate(managerB, { street_office_id: String(streetA), amount: '-1' })).status).toBe(403);
    expect((await postForm(managerB, `/funds/entries/${entry.id}/reversal`, { reason: 'x' })).status).toBe(403);
    expect(await entryCount()).toBe(before);
    expect((await account(streetA, 2026, 'fiscal'))?.allocated_fen ?? 0).toBe(allocatedBefore);
  });

  it('an anonymous visitor is sent to sign in, and cannot post', async () => {
    const anon = request.agent(ctx.app);
    const res = await anon.get('/funds');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
    expect((await anon.get(page(streetA, 2026))).status).toBe(303);
    expect(
      (
        await postForm(
          anon,
          '/funds/allocations',
          { street_office_id: String(streetA), year: '2026', source: 'fiscal', amount: '1', note: 'x' },
          '/login',
        )
      ).status,
    ).toBe(401);
  });

  it('an unknown street office, year or entry is not found', async () => {
    expect((await admin.get(page(999999, 2026))).status).toBe(404);
    expect((await admin.get(page(streetA, 1999))).status).toBe(404);
    expect((await admin.get(page(streetA, 2101))).status).toBe(404);
    expect((await admin.get('/funds/streets/abc/years/2026')).status).toBe(404);
    expect((await admin.get(`/funds/streets/${streetA}/years/20x6`)).status).toBe(404);
    expect((await admin.get('/funds/entries/999999/reversal')).status).toBe(404);
    expect((await postForm(admin, '/funds/entries/999999/reversal', { reason: 'x' })).status).toBe(404);
  });
});

describe('bad input (422, form re-shown, nothing written)', () => {
  it.each([
    ['a negative amount', { amount: '-100' }, 'amount', '金额不能为负数'],
    ['three decimals', { amount: '1.234' }, 'amount', '金额最多保留两位小数'],
    ['a non-number', { amount: '一百元' }, 'amount', '金额应为数字'],
    ['zero', { amount: '0' }, 'amount', '金额必须大于零'],
    ['an array amount', { amount: ['1', '2'] }, 'amount', '此项应为一段文字'],
    ['an unknown source', { source: 'bank_loan' }, 'source', '请从列表中选择'],
    ['an array source', { source: ['fiscal', 'lottery'] }, 'source', '请从列表中选择'],
    ['a year out of range', { year: '1999' }, 'year', '请填写 2000 到 2100 之间的四位数年份'],
    ['a year that is not a year', { year: '二〇二六' }, 'year', '请填写 2000 到 2100 之间的四位数年份'],
    ['a street office that does not exist', { street_office_id: '999999' }, 'street_office_id', '请从列表中选择'],
    ['a street office id that is not a number', { street_office_id: 'x' }, 'street_office_id', '请从列表中选择'],
    ['an empty note', { note: '   ' }, 'note', '此项为必填项'],
  ] as [string, Record<string, string | string[]>, string, string][])(
    'refuses %s',
    async (_name, fields, fieldName, message) => {
      const before = await entryCount();
      const events = await ctx.db('audit_events').where({ action: 'funds.allocate' }).count({ n: '*' }).first();
      const res = await allocate(managerA, { note: '保留的说明', ...fields });
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`href="#field-${fieldName}"`);
      expect(res.text).toContain('登记资金拨付');
      if (fieldName !== 'note') expect(res.text).toContain('value="保留的说明"');
      expect(await entryCount()).toBe(before);
      expect(await ctx.db('audit_events').where({ action: 'funds.allocate' }).count({ n: '*' }).first()).toEqual(
        events,
      );
    },
  );

  it('keeps the typed values on the re-shown form', async () => {
    const res = await allocate(managerA, { amount: '12.345', year: '2025', source: 'donation' });
    expect(res.text).toContain('value="12.345"');
    expect(res.text).toContain('value="2025"');
    expect(res.text).toMatch(/<option value="donation" selected>/);
  });

  it('refuses a reversal that would leave less allocated than is reserved, naming the source and amounts', async () => {
    const s = (await ctx.make.streetOffice()).id;
    const m = (await loginAs(ctx, 'manager', { street_office_id: s })).agent;
    await allocate(m, { street_office_id: String(s), source: 'lottery', amount: '1000' });
    const entry = await lastEntry(s);
    await allocate(m, { street_office_id: String(s), source: 'lottery', amount: '500' });
    await ctx.db.transaction((trx) =>
      reserveForCall(trx, {
        streetOfficeId: s,
        year: 2026,
        callId: 4242,
        amounts: [{ source: 'lottery', amountFen: 60000 }],
        userId: null,
        now: ctx.clock.now(),
      }),
    );
    const before = await entryCount();
    const res = await postForm(m, `/funds/entries/${entry.id}/reversal`, { reason: '想冲销' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '不能冲销：福彩公益金已预留、承诺和支付的金额共 ¥600.00，冲销 ¥1,000.00 后拨付额只剩 ¥500.00',
    );
    expect(res.text).toContain('想冲销');
    expect(await entryCount()).toBe(before);
    expect((await account(s, 2026, 'lottery')).allocated_fen).toBe(150000);
    expect(
      await ctx.db('audit_events').where({ action: 'funds.reverse', street_office_id: s }).first(),
    ).toBeUndefined();
  });

  it('refuses a reversal without a reason', async () => {
    await allocate(managerA, { amount: '1' });
    const entry = await lastEntry(streetA);
    const res = await postForm(managerA, `/funds/entries/${entry.id}/reversal`, { reason: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('此项为必填项');
    const arr = await postForm(managerA, `/funds/entries/${entry.id}/reversal`, { reason: ['a', 'b'] });
    expect(arr.status).toBe(422);
    expect(await ctx.db('fund_entries').where({ reverses_entry_id: entry.id }).first()).toBeUndefined();
  });
});
