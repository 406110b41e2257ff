import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { draftContract, finalAward } from './factory';
import { mf } from '../../src/modules/contracts/terms';
import { proposedAward } from '../awards/factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

async function post(agent: Agent, path: string, fields: Record<string, string> = {}) {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });
}
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const download = (agent: Agent, path: string) => agent.get(path).buffer(true).parse(binary);

/** A valid draft body of the contract's current form, with edits. */
async function formOf(agent: Agent, contractId: number) {
  const page = await agent.get(`/contracts/${contractId}/edit`);
  expect(page.status).toBe(200);
  const values: Record<string, string> = {};
  for (const m of page.text.matchAll(/<input id="field-([^"]+)" name="[^"]+" type="(?:text|date)" value="([^"]*)"/g))
    values[m[1]] = m[2].replace(/&#34;/g, '"').replace(/&amp;/g, '&');
  for (const m of page.text.matchAll(/<textarea id="field-([^"]+)" name="[^"]+" rows="5"[^>]*>([^<]*)<\/textarea>/g))
    values[m[1]] = m[2];
  for (const m of page.text.matchAll(/<input type="checkbox" id="field-([^"]+)" name="[^"]+" value="1" checked>/g))
    values[m[1]] = '1';
  values.rows = /name="rows" value="(\d+)"/.exec(page.text)![1];
  values.shareUnit = 'yuan';
  return values;
}

describe('from a final award to a signed contract', () => {
  it('creates a numbered draft, edits milestones, sends, is accepted and signed; the PDF served is the one recorded', async () => {
    const award = await finalAward(ctx);
    const manager = await signIn(ctx, award.call.manager.username);
    const notice = await manager.get(`/awards/${award.awardId}`);
    expect(notice.text).toContain(`/awards/${award.awardId}/items/${award.items[0].id}/contract`);
    const desk = await manager.get('/manage/awards');
    expect(desk.text).toContain(`/awards/${award.awardId}/items/${award.items[0].id}/contract`);
    expect(desk.text).toMatch(/距签订期限还有 3\d 天/);

    const created = await post(manager, `/awards/${award.awardId}/items/${award.items[0].id}/contract`);
    expect(created.status).toBe(303);
    const contractId = Number(/\/contracts\/(\d+)\/edit/.exec(created.headers.location)![1]);
    const contract = await ctx.db('contracts').where({ id: contractId }).first();
    const street = await ctx.db('street_offices').where({ id: award.call.streetOfficeId }).first();
    expect(contract.number).toBe(`${street.short_code}-2026-0001`);
    expect(contract.status).toBe('draft');
    expect(JSON.parse(contract.party_a_json)).toMatchObject({
      name: street.name,
      legalRepresentative: street.legal_representative,
      address: street.address,
    });

    // Prefilled: awarded amount, advance within 30%, mid-term and final milestones summing to it.
    const milestones = await ctx.db('contract_milestones').where({ contract_id: contractId }).orderBy('seq');
    expect(milestones.map((m) => Boolean(m.advance))).toEqual([true, false, false]);
    expect(milestones.reduce((s, m) => s + Number(m.amount_fen), 0)).toBe(10_000_001);

    // Add a row (no JavaScript): re-shown with one more row, nothing written.
    const values = await formOf(manager, contractId);
    const addRow = await post(manager, `/contracts/${contractId}`, { ...values, action: 'addRow' });
    expect(addRow.status).toBe(200);
    expect(addRow.text).toContain(`name="${mf(5, 'title')}"`);

    // Shares in percent: 20 / 40 / 40 of ¥100,000.01.
    const saved = await post(manager, `/contracts/${contractId}`, {
      ...values,
      shareUnit: 'percent',
      [mf(1, 'share')]: '20',
      [mf(2, 'share')]: '40',
      [mf(3, 'share')]: '40',
      action: 'save',
    });
    expect(saved.status).toBe(303);
    const after = await ctx.db('contract_milestones').where({ contract_id: contractId }).orderBy('seq');
    expect(after.map((m) => Number(m.amount_fen))).toEqual([2_000_000, 4_000_001, 4_000_000]);

    // Draft PDF on demand; nothing public about a draft.
    const draftPdf = await download(manager, `/contracts/${contractId}/contract.pdf`);
    expect(draftPdf.status).toBe(200);
    expect(draftPdf.headers['content-type']).toBe('application/pdf');
    expect((await request(ctx.app).get(`/public/contracts/${contractId}/contract.pdf`)).status).toBe(404);

    const staff = await signIn(ctx, award.call.bids[0].staff.username);
    expect((await staff.get(`/contracts/${contractId}`)).status).toBe(404); // a draft never sent is the manager's alone
    expect((await post(manager, `/contracts/${contractId}/sending`)).status).toBe(303);
    const notes = await ctx.db('notifications').where({ kind: 'contract.sent', user_id: award.call.bids[0].staff.id });
    expect(notes).toHaveLength(1);

    // Returned with comments -> draft again; sent again; accepted.
    expect((await post(staff, `/contracts/${contractId}/return`, { comment: '' })).status).toBe(422);
    expect((await post(staff, `/contracts/${contractId}/return`, { comment: '请补充服务人数' })).status).toBe(303);
    expect((await ctx.db('contracts').where({ id: contractId }).first()).status).toBe('draft');
    expect((await manager.get(`/contracts/${contractId}`)).text).toContain('请补充服务人数');
    await post(manager, `/contracts/${contractId}/sending`);
    expect((await post(manager, `/contracts/${contractId}/signature`)).status).toBe(409); // not accepted yet
    expect((await post(staff, `/contracts/${contractId}/acceptance`)).status).toBe(303);
    expect((await post(staff, `/contracts/${contractId}/signature`)).status).toBe(403); // the wrong party
    expect((await post(manager, `/contracts/${contractId}/signature`)).status).toBe(303);
    expect((await post(manager, `/contracts/${contractId}/signature`)).status).toBe(409); // twice

    const signed = await ctx.db('contracts').where({ id: contractId }).first();
    expect(signed).toMatchObject({
      status: 'active',
      signed_by: award.call.manager.id,
      accepted_by: award.call.bids[0].staff.id,
      signing_date: '2026-11-25',
    });
    expect(signed.pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'contract.sign', subject_id: String(contractId) })
      .first();
    expect(JSON.parse(event.after_json).pdf_sha256).toBe(signed.pdf_sha256);
    const page = await manager.get(`/contracts/${contractId}`);
    expect(page.text).toContain(signed.pdf_sha256);
    const pdf = await download(staff, `/contracts/${contractId}/contract.pdf`);
    expect(pdf.status).toBe(200);
    expect(
      crypto
        .createHash('sha256')
        .update(pdf.body as Buffer)
        .digest('hex'),
    ).toBe(signed.pdf_sha256);
    expect(
      await ctx.db('audit_events').where({ action: 'contract.download', subject_id: String(contractId) }),
    ).toHaveLength(2);
    const pub = await download(request.agent(ctx.app), `/public/contracts/${contractId}/contract.pdf`);
    expect(pub.status).toBe(200);
    expect((await staff.get('/my/contracts')).text).toContain(signed.number);
    expect((await manager.get('/contracts?status=active')).text).toContain(signed.number);
    expect((await manager.get('/contracts?status=draft')).text).not.toContain(signed.number);
  });
});

describe('bad input on the draft: 422, the typed values again, nothing written', () => {
  let contractId: number;
  let manager: Agent;
  let values: Record<string, string>;
  beforeAll(async () => {
    const d = await draftContract(ctx);
    contractId = d.contractId;
    manager = await signIn(ctx, d.call.manager.username);
    values = await formOf(manager, contractId);
  });
  const cases: [string, Record<string, string>, string][] = [
    ['shares that do not sum', { [mf(3, 'share')]: '1.00' }, '应等于合同金额 ¥100,000.01'],
    [
      'a percent with three decimals',
      { shareUnit: 'percent', [mf(1, 'share')]: '20.001', [mf(2, 'share')]: '40', [mf(3, 'share')]: '39.999' },
      '比例最多保留两位小数',
    ],
    ['a due date outside the period', { [mf(2, 'due')]: '2030-01-01' }, '到期日须在服务期限'],
    ['a pass score above 100', { [mf(2, 'pass')]: '101' }, '合格分应为 0 到 100 之间的整数'],
    ['weights not summing to 100', { [mf(2, 'w_self')]: '50' }, '合计为 130，应为 100'],
    [
      'an advance above the call share',
      { [mf(1, 'share')]: '40000', [mf(2, 'share')]: '30000.01', [mf(3, 'share')]: '30000' },
      '首期款不能超过合同金额的 30%',
    ],
    ['a period that ends before it starts', { periodEnd: '2020-01-01' }, '结束日期不能早于开始日期'],
  ];
  it.each(cases)('%s', async (_name, edits, message) => {
    const before = await ctx.db('contract_milestones').where({ contract_id: contractId }).orderBy('seq');
    const events = await ctx.db('audit_events').count({ n: '*' }).first();
    const res = await post(manager, `/contracts/${contractId}`, { ...values, ...edits, action: 'save' });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    for (const v of Object.values(edits)) expect(res.text).toContain(`value="${v}"`);
    expect(await ctx.db('contract_milestones').where({ contract_id: contractId }).orderBy('seq')).toEqual(before);
    expect(await ctx.db('audit_events').count({ n: '*' }).first()).toEqual(events);
  });
  it('is in English for an English reader', async () => {
    await post(manager, '/language', { lang: 'en', returnTo: '/dashboard' });
    const res = await post(manager, `/contracts/${contractId}`, { ...values, [mf(2, 'pass')]: '101', action: 'save' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Row 2: the pass score must be a whole number from 0 to 100');
    await post(manager, '/language', { lang: 'zh-CN', returnTo: '/dashboard' });
  });
});

describe('refusals', () => {
  it('refuses a contract for an award that is not final, an item that has one, and a forged id', async () => {
    const { call, awardId } = await proposedAward(ctx, { bids: [{ priceFen: 500_000, scores: [[80, 80]] }] });
    const manager = await signIn(ctx, call.manager.username);
    const item = await ctx.db('award_items').where({ award_id: awardId }).first('id');
    const res = await post(manager, `/awards/${awardId}/items/${item.id}/contract`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('中标结果尚未确定');
    expect(await ctx.db('contracts').where({ award_id: awardId })).toHaveLength(0);

    const d = await draftContract(ctx);
    const other = await signIn(ctx, d.call.manager.username);
    const again = await post(other, `/awards/${d.awardId}/items/${d.items[0].id}/contract`);
    expect(again.status).toBe(409);
    expect(again.text).toContain('该中标项目已经有合同');
    expect((await post(other, `/awards/${d.awardId}/items/${item.id}/contract`)).status).toBe(404); // an item of another award
    expect((await post(other, `/awards/999999/items/1/contract`)).status).toBe(404);
    expect((await other.get('/contracts/abc')).status).toBe(404);
  });

  it('keeps the contract from another street, another organization, a reviewer, the public; auditors read but cannot write', async () => {
    const d = await draftContract(ctx);
    const manager = await signIn(ctx, d.call.manager.username);
    await post(manager, `/contracts/${d.contractId}/sending`);
    const otherManager = (await loginAs(ctx, 'manager')).agent;
    const otherOrg = (await loginAs(ctx, 'org_staff')).agent;
    const reviewer = (await loginAs(ctx, 'reviewer')).agent;
    const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [d.call.streetOfficeId] })).agent;
    const otherAuditor = (await loginAs(ctx, 'auditor')).agent;
    const admin = (await loginAs(ctx, 'admin')).agent;
    expect((await otherManager.get(`/contracts/${d.contractId}`)).status).toBe(404);
    expect((await otherManager.get('/contracts')).text).not.toContain(`/contracts/${d.contractId}"`);
    expect((await post(otherManager, `/contracts/${d.contractId}/signature`)).status).toBe(404);
    expect((await otherOrg.get(`/contracts/${d.contractId}`)).status).toBe(404);
    expect((await post(otherOrg, `/contracts/${d.contractId}/acceptance`)).status).toBe(404);
    expect((await reviewer.get(`/contracts/${d.contractId}`)).status).toBe(403);
    expect((await request(ctx.app).get(`/contracts/${d.contractId}`)).status).toBe(303);
    expect((await otherAuditor.get(`/contracts/${d.contractId}`)).status).toBe(404);
    expect((await auditor.get(`/contracts/${d.contractId}`)).status).toBe(200);
    expect((await auditor.get('/contracts')).text).toContain(`/contracts/${d.contractId}"`);
    expect((await post(auditor, `/contracts/${d.contractId}/acceptance`)).status).toBe(403);
    expect((await post(auditor, `/contracts/${d.contractId}/sending`)).status).toBe(403);
    expect((await admin.get(`/contracts/${d.contractId}`)).status).toBe(200);
    expect((await ctx.db('contracts').where({ id: d.contractId }).first()).status).toBe('sent');
  });
});
