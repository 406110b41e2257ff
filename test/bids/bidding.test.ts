import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm } from '../helpers/http';
import {
  AFTER,
  BEFORE,
  bidFields,
  count,
  makeCall,
  OPENS_AT,
  PNG,
  PDF,
  postBid,
  snapshot,
  staffAgent,
} from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const bidOf = (callId: number, organizationId: number) =>
  ctx.db('bids').where({ call_id: callId, organization_id: organizationId }).orderBy('id', 'desc').first();

describe('bidding (303/200)', () => {
  it('lets the staff of an approved organization submit a complete bid with its proposal, audited without its content or street', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    const res = await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    expect(res.status).toBe(303);
    const bid = await bidOf(call.id, org.id);
    expect(res.headers.location).toBe(`/bids/${bid.ref}`);
    expect(bid.status).toBe('submitted');
    expect(Number(bid.price_fen)).toBe(30_000_000);
    expect(bid.submitted_at).toBe(ctx.clock.now().toISOString());
    expect(await ctx.db('bid_budget_lines').where({ bid_id: bid.id }).orderBy('position').pluck('item')).toEqual([
      '人员费用',
      '服务物料',
    ]);
    expect(await count(ctx, 'bid_files', { bid_id: bid.id, kind: 'proposal' })).toBe(1);
    const event = await ctx
      .db('sealed_audit_events')
      .where({ call_id: call.id, action: 'bid.submit', subject_id: bid.ref })
      .first();
    expect(event.organization_id).toBe(org.id);
    expect(event.street_office_id).toBeUndefined(); // a sealed log has no street: it is shown to nobody before the opening
    expect(event.after_json).toMatch(/"digest":"[0-9a-f]{64}"/);
    expect(event.after_json).not.toContain('30000000');
    expect(event.after_json).not.toContain('上门助餐');
    expect(
      await count(ctx, 'sealed_audit_events', { call_id: call.id, action: 'bid.file_add', subject_id: bid.ref }),
    ).toBe(1);
    const page = await agent.get(`/bids/${bid.ref}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('¥300,000.00');
    expect(page.text).toContain('方案书.pdf');
  });

  it('saves an incomplete draft, then continues it and submits it', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    const draft = await postBid(
      agent,
      `/calls/${call.id}/bids`,
      { servicePlan: '先写一部分', intent: 'draft' },
      { proposal: null },
    );
    expect(draft.status).toBe(303);
    const bid = await bidOf(call.id, org.id);
    expect(bid.status).toBe('draft');
    expect(bid.price_fen).toBeNull();
    expect(
      await count(ctx, 'sealed_audit_events', { call_id: call.id, action: 'bid.save_draft', subject_id: bid.ref }),
    ).toBe(1);
    // Starting again leads to the draft rather than a second bid.
    const again = await agent.get(`/calls/${call.id}/bids/new`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/bids/${bid.ref}/edit`);
    const form = await agent.get(`/bids/${bid.ref}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('先写一部分');
    const submit = await postBid(agent, `/bids/${bid.ref}`, bidFields());
    expect(submit.status).toBe(303);
    expect((await bidOf(call.id, org.id)).status).toBe('submitted');
  });

  it('edits a submitted bid before the deadline: it stays submitted, with the new submission time, audited as an edit', async () => {
    const call = await makeCall(ctx);
    ctx.clock.set('2026-12-01T01:50:00.000Z');
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    const bid = await bidOf(call.id, org.id);
    ctx.clock.set(BEFORE);
    const res = await postBid(
      agent,
      `/bids/${bid.ref}`,
      bidFields({ price: '250000', line1Amount: '150000', intent: 'draft' }),
      { proposal: null },
    );
    expect(res.status).toBe(303);
    const after = await bidOf(call.id, org.id);
    expect(after.status).toBe('submitted');
    expect(Number(after.price_fen)).toBe(25_000_000);
    expect(after.submitted_at).toBe(BEFORE);
    const event = await ctx
      .db('sealed_audit_events')
      .where({ call_id: call.id, action: 'bid.edit_submitted', subject_id: bid.ref })
      .first();
    expect(JSON.parse(event.before_json).digest).not.toBe(JSON.parse(event.after_json).digest);
  });

  it('withdraws a bid; the organization may then bid again', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    const bid = await bidOf(call.id, org.id);
    const res = await postForm(agent, `/bids/${bid.ref}/withdrawal`, {});
    expect(res.status).toBe(303);
    expect((await ctx.db('bids').where({ id: bid.id }).first()).status).toBe('withdrawn');
    expect(
      await count(ctx, 'sealed_audit_events', { call_id: call.id, action: 'bid.withdraw', subject_id: bid.ref }),
    ).toBe(1);
    const again = await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    expect(again.status).toBe(303);
    expect(await count(ctx, 'bids', { call_id: call.id, organization_id: org.id })).toBe(2);
  });

  it('takes a venture bid up to the per-project cap, with matching funds on top of it', async () => {
    const call = await makeCall(ctx, {
      method: 'venture',
      funding_mode: 'project_subsidy',
      budget_fen: 50_000_000,
      per_project_cap_fen: 10_000_000,
    });
    const { agent, org } = await staffAgent(ctx);
    const fields = bidFields({ price: '100000', matchingFunds: '50000', line1Amount: '100000', line2Amount: '50000' });
    const res = await postBid(agent, `/calls/${call.id}/bids`, fields);
    expect(res.status).toBe(303);
    const bid = await bidOf(call.id, org.id);
    expect([Number(bid.price_fen), Number(bid.matching_funds_fen)]).toEqual([10_000_000, 5_000_000]);
  });

  it('removes an attachment of a draft, and ignores blank budget rows', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields({ intent: 'draft', line5Item: '', line5Amount: '' }));
    const bid = await bidOf(call.id, org.id);
    expect(await count(ctx, 'bid_budget_lines', { bid_id: bid.id })).toBe(2);
    const file = await ctx.db('bid_files').where({ bid_id: bid.id }).first();
    const res = await postForm(agent, `/bids/${bid.ref}/files/${file.ref}/removal`, {});
    expect(res.status).toBe(303);
    expect(await count(ctx, 'bid_files', { bid_id: bid.id })).toBe(0);
    expect(
      await count(ctx, 'sealed_audit_events', { call_id: call.id, action: 'bid.file_remove', subject_id: bid.ref }),
    ).toBe(1);
  });

  it('lists the organization’s own bids with their status and the call’s deadline', async () => {
    const call = await makeCall(ctx, { title: '社区心理疏导服务' });
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields({ intent: 'draft' }));
    const res = await agent.get('/my/bids');
    expect(res.status).toBe(200);
    expect(res.text).toContain('社区心理疏导服务');
    expect(res.text).toContain('草稿');
    expect(res.text).toContain('2026-12-01 10:00');
    const en = await agent.get('/my/bids?lang=en');
    expect(en.status).toBe(200);
    void org;
  });
});

describe('refused: the deadline and the opening time (409), nothing written', () => {
  it('refuses a new bid, an edit, a withdrawal, an upload and a file removal one second after the deadline', async () => {
    const call = await makeCall(ctx);
    ctx.clock.set('2026-12-01T01:50:00.000Z'); // sessions stay fresh (idle timeout) across the deadline
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields({ intent: 'draft' }));
    const bid = await bidOf(call.id, org.id);
    const file = await ctx.db('bid_files').where({ bid_id: bid.id }).first();
    const other = await staffAgent(ctx);
    ctx.clock.set(AFTER);
    const before = await snapshot(ctx);
    const refused = [
      await postBid(other.agent, `/calls/${call.id}/bids`, bidFields()),
      await postBid(agent, `/bids/${bid.ref}`, bidFields()),
      await postBid(agent, `/bids/${bid.ref}`, { intent: 'draft' }, { proposal: { content: PDF, name: 'new.pdf' } }),
      await postForm(agent, `/bids/${bid.ref}/withdrawal`, {}),
      await postForm(agent, `/bids/${bid.ref}/files/${file.ref}/removal`, {}),
      await agent.get(`/bids/${bid.ref}/edit`),
      await other.agent.get(`/calls/${call.id}/bids/new`),
    ];
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(res.text).toContain('投标已于 2026-12-01 10:00');
    }
    expect(await snapshot(ctx)).toEqual(before);
    // The bid itself stays readable to its organization.
    expect((await agent.get(`/bids/${bid.ref}`)).status).toBe(200);
  });

  it('still takes a bid one second before the deadline', async () => {
    const call = await makeCall(ctx);
    ctx.clock.set(BEFORE);
    const { agent } = await staffAgent(ctx);
    expect((await postBid(agent, `/calls/${call.id}/bids`, bidFields())).status).toBe(303);
  });

  it('refuses a bid before the call opens, and on a cancelled call', async () => {
    const early = await makeCall(ctx, { opens_at: '2026-11-26T00:00:00.000Z' });
    const cancelled = await makeCall(ctx, { status: 'cancelled' });
    const { agent } = await staffAgent(ctx);
    const before = await snapshot(ctx);
    const a = await postBid(agent, `/calls/${early.id}/bids`, bidFields());
    expect(a.status).toBe(409);
    expect(a.text).toContain('2026-11-26 08:00');
    expect((await postBid(agent, `/calls/${cancelled.id}/bids`, bidFields())).status).toBe(409);
    expect(await snapshot(ctx)).toEqual(before);
    expect(OPENS_AT < '2026-11-26').toBe(true);
  });
});

describe('refused: who may bid (403/404/409), nothing written', () => {
  it('refuses a suspended and a pending organization', async () => {
    const call = await makeCall(ctx);
    for (const status of ['suspended', 'pending', 'rejected']) {
      const { agent } = await staffAgent(ctx, { status });
      const before = await snapshot(ctx);
      const res = await postBid(agent, `/calls/${call.id}/bids`, bidFields());
      expect(res.status).toBe(403);
      expect(res.text).toContain('只有审核通过的社会组织可以投标');
      expect(await snapshot(ctx)).toEqual(before);
    }
  });

  it('refuses a second active bid of the same organization with 409, and the database decides a race', async () => {
    const call = await makeCall(ctx);
    const { agent, org, user } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    // A second colleague posting straight to the create route (no redirect to the existing bid).
    const colleague = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const before = await snapshot(ctx);
    const res = await postBid(colleague.agent, `/calls/${call.id}/bids`, bidFields());
    expect(res.status).toBe(409);
    expect(res.text).toContain('已有一份有效的投标书');
    expect(await snapshot(ctx)).toEqual(before);
    void user;

    const call2 = await makeCall(ctx);
    const [t1, t2] = await Promise.all([csrfFrom(agent, '/dashboard'), csrfFrom(colleague.agent, '/dashboard')]);
    const results = await Promise.all([
      postBid(agent, `/calls/${call2.id}/bids`, bidFields(), { token: t1 }),
      postBid(colleague.agent, `/calls/${call2.id}/bids`, bidFields(), { token: t2 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await count(ctx, 'bids', { call_id: call2.id })).toBe(1);
  });

  it('answers 404 for a draft call or a call that does not exist', async () => {
    const draft = await makeCall(ctx, { status: 'draft', published_at: null });
    const { agent } = await staffAgent(ctx);
    expect((await agent.get(`/calls/${draft.id}/bids/new`)).status).toBe(404);
    expect((await postBid(agent, `/calls/${draft.id}/bids`, bidFields())).status).toBe(404);
    expect((await postBid(agent, '/calls/999999/bids', bidFields())).status).toBe(404);
  });

  it('answers 404 to forged ids of another organization’s bid in every form and URL, and changes nothing', async () => {
    const call = await makeCall(ctx);
    const owner = await staffAgent(ctx);
    await postBid(owner.agent, `/calls/${call.id}/bids`, bidFields());
    const bid = await bidOf(call.id, owner.org.id);
    const file = await ctx.db('bid_files').where({ bid_id: bid.id }).first();
    const { agent } = await staffAgent(ctx);
    const before = await snapshot(ctx);
    const responses = [
      await agent.get(`/bids/${bid.ref}`),
      await agent.get(`/bids/${bid.ref}/edit`),
      await agent.get(`/bids/${bid.ref}/files/${file.ref}`),
      await postBid(agent, `/bids/${bid.ref}`, bidFields({ price: '1' })),
      await postForm(agent, `/bids/${bid.ref}/withdrawal`, {}),
      await postForm(agent, `/bids/${bid.ref}/files/${file.ref}/removal`, {}),
    ];
    for (const res of responses) expect(res.status).toBe(404);
    // Exactly the page of a bid that does not exist.
    const missing = await agent.get('/bids/999999');
    expect(responses[0].text.replace(/value="[^"]+"/g, '')).toBe(missing.text.replace(/value="[^"]+"/g, ''));
    // A file id of another bid under one's own bid is not found either.
    const mine = await staffAgent(ctx);
    await postBid(mine.agent, `/calls/${call.id}/bids`, bidFields({ intent: 'draft' }));
    const myBid = await bidOf(call.id, mine.org.id);
    expect((await mine.agent.get(`/bids/${myBid.ref}/files/${file.ref}`)).status).toBe(404);
    expect((await postForm(mine.agent, `/bids/${myBid.ref}/files/${file.ref}/removal`, {})).status).toBe(404);
    expect(await count(ctx, 'bid_files', { id: file.id })).toBe(1);
    expect((await ctx.db('bids').where({ id: bid.id }).first()).status).toBe('submitted');
    void before;
  });

  it('refuses to change a withdrawn bid (409)', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    const bid = await bidOf(call.id, org.id);
    await postForm(agent, `/bids/${bid.ref}/withdrawal`, {});
    const before = await snapshot(ctx);
    expect((await postBid(agent, `/bids/${bid.ref}`, bidFields())).status).toBe(409);
    expect((await postForm(agent, `/bids/${bid.ref}/withdrawal`, {})).status).toBe(409);
    expect(await snapshot(ctx)).toEqual(before);
  });
});

describe('refused: bad input (422/413), the form shown again, nothing written', () => {
  let call: Awaited<ReturnType<typeof makeCall>>;
  let staff: Awaited<ReturnType<typeof staffAgent>>;
  beforeAll(async () => {
    call = await makeCall(ctx);
    staff = await staffAgent(ctx);
  });

  async function refused(
    fields: Record<string, string | string[]>,
    status: number,
    message: string,
    proposal?: { content: Buffer; name: string } | null,
  ) {
    const before = await snapshot(ctx);
    const res = await postBid(staff.agent, `/calls/${call.id}/bids`, fields, { proposal });
    expect(res.status).toBe(status);
    expect(res.text).toContain(message);
    expect(await snapshot(ctx)).toEqual(before);
    return res;
  }

  it('refuses a price above the budget, and keeps what was typed', async () => {
    const res = await refused(
      bidFields({ price: '500000.01', line1Amount: '400000.01' }),
      422,
      '申请金额不能超过项目预算 ¥500,000.00',
    );
    expect(res.text).toContain('value="500000.01"');
    expect(res.text).toContain('每周两次上门助餐');
  });

  it('refuses a venture price above the per-project cap, even as a draft', async () => {
    const venture = await makeCall(ctx, { method: 'venture', per_project_cap_fen: 10_000_000 });
    const before = await snapshot(ctx);
    const res = await postBid(
      staff.agent,
      `/calls/${venture.id}/bids`,
      bidFields({ price: '100000.01', intent: 'draft' }),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('单个项目资助上限 ¥100,000.00');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('refuses budget rows that do not add up to the price plus matching funds, and half-filled rows', async () => {
    await refused(
      bidFields({ line2Amount: '90000' }),
      422,
      '预算明细合计 ¥290,000.00，应等于申请金额加配套资金 ¥300,000.00',
    );
    await refused(bidFields({ line3Item: '交通费' }), 422, '第 3 行：请填写金额');
    await refused(bidFields({ line1Amount: '-5' }), 422, '金额不能为负数');
  });

  it('refuses a submission without the required texts or the proposal', async () => {
    await refused(bidFields({ staffing: '' }), 422, '此项为必填项');
    await refused(bidFields(), 422, '提交前请上传项目方案书', null);
    await refused(bidFields(), 422, '项目方案书须为 PDF 文件', { content: PNG, name: 'plan.png' });
  });

  it('refuses arrays where text is expected', async () => {
    await refused({ ...bidFields(), price: ['1', '2'] }, 422, '此项应为一段文字');
    await refused({ ...bidFields(), intent: ['draft', 'submit'] }, 422, '此项应为一段文字');
    await refused({ ...bidFields(), line1Item: ['a', 'b'] }, 422, '此项应为一段文字');
  });

  it('refuses a mislabelled attachment and a type that is not allowed', async () => {
    await refused(bidFields(), 422, '文件内容与扩展名不符', { content: PNG, name: 'plan.pdf' });
    await refused(bidFields(), 422, '不支持此文件格式', { content: Buffer.from('MZ'), name: 'tool.exe' });
  });

  it('refuses a 50 MB attachment with 413', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(50 * 1024 * 1024)]);
    await refused(bidFields(), 413, '文件过大', { content: big, name: 'huge.pdf' });
  });

  it('refuses a form without the CSRF token', async () => {
    const before = await snapshot(ctx);
    const res = await postBid(staff.agent, `/calls/${call.id}/bids`, bidFields(), { token: 'forged' });
    expect(res.status).toBe(403);
    expect(await snapshot(ctx)).toEqual(before);
  });
});

describe('the call page panel for organizations', () => {
  it('offers to start a bid, then shows the bid’s status', async () => {
    const call = await makeCall(ctx);
    const { agent } = await staffAgent(ctx);
    const page = await agent.get(`/calls/${call.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`/calls/${call.id}/bids/new`);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields());
    const after = await agent.get(`/calls/${call.id}`);
    expect(after.text).toContain('已提交');
    expect(after.text).not.toContain(`/calls/${call.id}/bids/new`);
  });

  it('tells a suspended organization it cannot bid, and says when bids closed', async () => {
    const call = await makeCall(ctx);
    ctx.clock.set(BEFORE);
    const { agent } = await staffAgent(ctx, { status: 'suspended' });
    const page = await agent.get(`/calls/${call.id}`);
    expect(page.text).toContain('只有审核通过的社会组织可以投标');
    expect(page.text).not.toContain(`/calls/${call.id}/bids/new`);
    ctx.clock.set(AFTER);
    expect((await agent.get(`/calls/${call.id}`)).text).toContain('投标已于 2026-12-01 10:00');
  });

  it('shows nothing about bids to the public', async () => {
    const call = await makeCall(ctx);
    const res = await request(ctx.app).get(`/calls/${call.id}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('h-bid-panel');
  });
});

describe('in English', () => {
  it('shows the bid pages with no untranslated key or Chinese label', async () => {
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    await postBid(agent, `/calls/${call.id}/bids`, bidFields({ intent: 'draft' }));
    const bid = await bidOf(call.id, org.id);
    const { agent: manager } = await loginAs(ctx, 'manager');
    const pages: [typeof agent, string][] = [
      [agent, `/bids/${bid.ref}`],
      [agent, `/bids/${bid.ref}/edit`],
      [agent, '/my/bids'],
      [agent, `/calls/${call.id}`],
      [manager, '/street-office/exclusions'],
    ];
    for (const [who, path] of pages) {
      const res = await who.get(path).set('Cookie', 'sf.lang=en');
      expect(res.status).toBe(200);
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).not.toMatch(/>\s*bids\.[a-zA-Z.]+/);
      expect(res.text).not.toMatch(/[\u4e00-\u9fa5]{2,}(?=<\/(th|label|legend|dt)>)/);
    }
  });
});
