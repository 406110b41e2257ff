import { systemActor } from '../../src/audit/audit';
import { approveProposal, proposePayment } from '../../src/modules/payments/service';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { closeWith, invoiceFor, openReview, payableContract, PDF } from './factory';

// Whole contracts (signed PDFs) per test: slow on a loaded machine.
jest.setTimeout(120_000);

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const onceKey = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });
const count = async (table: string, contractId?: number) =>
  Number(
    (await ctx
      .db(table)
      .where(contractId ? { contract_id: contractId } : {})
      .count({ n: '*' })
      .first())!.n,
  );

async function setup() {
  const c = await payableContract(ctx);
  const manager = await signIn(ctx, c.call.manager.username);
  const approver = await signIn(ctx, c.approverRow.username);
  const staff = await signIn(ctx, c.call.bids[0].staff.username);
  return {
    ...c,
    agents: { manager, approver, staff },
    page: (seq: number) => `/contracts/${c.contractId}/milestones/${seq}/payment`,
  };
}

it('walks propose → approve through the pages; the organization sees its payment; a retry with the same key changes nothing', async () => {
  const c = await setup();
  const upload = c.agents.staff.post(`${c.page(1)}/../invoices`.replace('/payment/../', '/'));
  const token = await csrfFrom(c.agents.staff, c.page(1));
  const up = await upload
    .field('_csrf', token)
    .field('kind', 'invoice')
    .field('amount', String(c.milestones[0].amountFen / 100))
    .attach('file', PDF, 'fapiao.pdf');
  expect(up.status).toBe(303);
  const page = await c.agents.manager.get(c.page(1));
  expect(page.status).toBe(200);
  expect(page.text).toContain('首期款');
  const key = onceKey();
  const proposed = await post(c.agents.manager, c.page(1), { _once: key });
  expect(proposed.status).toBe(303);
  const proposalPath = proposed.headers.location as string;
  expect(proposalPath).toMatch(/^\/payments\/proposals\/\d+$/);
  // The same form again (double click): the first result, nothing more.
  const again = await post(c.agents.manager, c.page(1), { _once: key });
  expect(again.headers.location).toBe(proposalPath);
  expect(await count('payment_proposals', c.contractId)).toBe(1);

  const queue = await c.agents.approver.get('/payments/queue');
  expect(queue.text).toContain(proposalPath);
  // The proposer, even as an approver after a role change, cannot approve: the check is on the user.
  await ctx.db('users').where({ id: c.manager.id }).update({ role: 'approver' });
  const own = await post(c.agents.manager, `${proposalPath}/approval`, { _once: onceKey() });
  expect(own.status).toBe(403);
  await ctx.db('users').where({ id: c.manager.id }).update({ role: 'manager' });

  const approveKey = onceKey();
  const approved = await post(c.agents.approver, `${proposalPath}/approval`, { _once: approveKey });
  expect(approved.status).toBe(303);
  const paymentPath = approved.headers.location as string;
  expect(paymentPath).toMatch(/^\/payments\/\d+$/);
  const retried = await post(c.agents.approver, `${proposalPath}/approval`, { _once: approveKey });
  expect(retried.headers.location).toBe(paymentPath);
  const stale = await post(c.agents.approver, `${proposalPath}/approval`, { _once: onceKey() });
  expect(stale.status).toBe(409);
  expect(stale.text).toContain('该申请已经审批过');
  expect(await count('payments', c.contractId)).toBe(1);

  const trail = await c.agents.approver.get(paymentPath);
  expect(trail.status).toBe(200);
  expect(trail.text).toContain('资金台账');
  expect(trail.text).toContain('支付');
  const mine = await c.agents.staff.get('/my/payments');
  expect(mine.text).toContain(c.milestones[0].amountFen >= 100 ? '首期' : '');
  expect(mine.text).not.toContain(c.approverRow.username);
  // The organization sees the date the money arrived, not the street's reference: the column says so.
  expect(mine.text).toContain('到账或退回日期');
  expect(mine.text).not.toContain('支付凭证号');

  const voucher = await post(c.agents.approver, `${paymentPath}/voucher`, {
    voucherRef: 'PZ/2026#1',
    paidOn: '2020-01-01',
    _once: onceKey(),
  });
  expect(voucher.status).toBe(422);
  expect(voucher.text).toContain('支付日期不能早于批准日期');
  const list = await c.agents.manager.get('/payments?kind=release&voucher=missing');
  expect(list.text).toContain(paymentPath);
  expect((await c.agents.manager.get('/payments?voucher=recorded')).text).not.toContain(`href="${paymentPath}"`);
});

it.each([
  ['kind=bogus', 'kind', '类别只能是拨付、不予支付或追回'],
  ['kind=release&kind=reversal', 'kind', '类别只能是'],
  ['from=2026-02-30', 'from', '请按“年-月-日”填写有效的日期'],
  ['from=2026-12-05&to=2026-12-01', 'to', '结束日期不能早于开始日期'],
  ['contract=DS-2026', 'contract', '合同编号格式应为'],
  ['voucher=lost', 'voucher', '凭证只能是已录入或未录入'],
  ['page=abc', 'page', '页码必须是正整数'],
])(
  'answers the payment list filtered by %s with 422, the message and the form again',
  async (query, field, message) => {
    const c = await setup();
    const res = await c.agents.manager.get(`/payments?${query}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('<form method="get" class="filters">');
    if (field !== 'page') expect(res.text).toContain(`id="error-${field}"`);
  },
);

it('says what is wrong with a payment list filter in English too', async () => {
  const c = await setup();
  expect((await post(c.agents.approver, '/language', { lang: 'en', returnTo: '/dashboard' })).status).toBe(303);
  const res = await c.agents.approver.get('/payments?kind=bogus');
  expect(res.status).toBe(422);
  expect(res.text).toContain('Kind must be payment, not paid or clawback');
  expect(res.text).toContain('name="kind"');
});

it.each([
  [{ amount: '-5' }, 'amount', '金额不能为负数'],
  [{ amount: '1.234' }, 'amount', '精确到分'],
  [{ amount: 'abc' }, 'amount', '金额应为数字'],
  [{ amount: '0' }, 'amount', '金额必须大于零'],
  [{ amount: '999999999' }, 'amount', '不能超过评估结果允许的金额'],
  [{ amount: '1', reason: '' }, 'reason', '请写明理由'],
  [{ source_fiscal: '1' }, 'sources', '各资金来源之和必须等于金额'],
])(
  'refuses the proposal %p with 422 naming %s, re-showing what was typed, writing nothing',
  async (fields: Record<string, string>, field, message) => {
    const c = await setup();
    await invoiceFor(ctx, c, 1);
    const before = await count('payment_proposals', c.contractId);
    const res = await post(c.agents.manager, c.page(1), { _once: onceKey(), ...fields });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain(field === 'sources' ? 'error-summary' : `error-${field}`);
    if (fields.amount) expect(res.text).toContain(`value="${fields.amount}"`);
    expect(await count('payment_proposals', c.contractId)).toBe(before);
  },
);

it('refuses what is not payable: no closed evaluation, no invoice, already settled; forged ids are 404', async () => {
  const c = await setup();
  const notEvaluated = await post(c.agents.manager, c.page(2), { _once: onceKey() });
  expect(notEvaluated.status).toBe(409);
  expect(notEvaluated.text).toContain('评估尚未结束');
  const noInvoice = await post(c.agents.manager, c.page(1), { _once: onceKey() });
  expect(noInvoice.status).toBe(409);
  expect(noInvoice.text).toContain('尚未上传该节点的发票或收据');
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  await approveProposal(ctx, systemActor, c.approver, id);
  const settled = await post(c.agents.manager, c.page(1), { _once: onceKey() });
  expect(settled.status).toBe(409);
  expect(settled.text).toContain('已经结算');
  expect((await post(c.agents.approver, '/payments/proposals/999999/approval', { _once: onceKey() })).status).toBe(404);
  expect((await c.agents.approver.get('/payments/abc')).status).toBe(404);
  expect((await post(c.agents.manager, `/contracts/${c.contractId}/milestones/99/payment`, {})).status).toBe(404);
});

it('refuses by role and street: the organization never proposes or approves, auditors never write, other streets see 404', async () => {
  const c = await setup();
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  const proposal = `/payments/proposals/${id}`;
  expect((await post(c.agents.staff, c.page(1), { _once: onceKey() })).status).toBe(403);
  expect((await post(c.agents.staff, `${proposal}/approval`, { _once: onceKey() })).status).toBe(403);
  expect((await c.agents.staff.get(proposal)).status).toBe(403);
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.streetOfficeId] })).agent;
  expect((await auditor.get(proposal)).status).toBe(200);
  expect((await post(auditor, `${proposal}/approval`, { _once: onceKey() })).status).toBe(403);
  expect((await post(auditor, c.page(1), { _once: onceKey() })).status).toBe(403);
  const otherApprover = (await loginAs(ctx, 'approver')).agent;
  expect((await otherApprover.get(proposal)).status).toBe(404);
  expect((await post(otherApprover, `${proposal}/approval`, { _once: onceKey() })).status).toBe(404);
  const otherManager = (await loginAs(ctx, 'manager')).agent;
  expect((await otherManager.get(c.page(1))).status).toBe(404);
  expect((await post(otherManager, c.page(1), { _once: onceKey() })).status).toBe(404);
  const otherStaff = (await loginAs(ctx, 'org_staff')).agent;
  expect((await otherStaff.get(c.page(1))).status).toBe(404);
  // The manager (proposer) cannot approve; the approver of the street can.
  expect((await post(c.agents.manager, `${proposal}/approval`, { _once: onceKey() })).status).toBe(403);
  expect((await post(c.agents.approver, `${proposal}/approval`, { _once: onceKey() })).status).toBe(303);
  expect(await count('payments', c.contractId)).toBe(1);
});

it('records a withheld milestone as settled with nothing paid; the manager then decides to go on', async () => {
  const c = await setup();
  await closeWith(ctx, c, 2, 3000);
  const page = await c.agents.manager.get(c.page(2));
  expect(page.text).toContain('不予支付');
  const res = await post(c.agents.manager, c.page(2), { reason: '服务未达标', _once: onceKey() });
  expect(res.status).toBe(303);
  const paid = Number((await ctx.db('fund_accounts').sum({ n: 'paid_fen' }).first())!.n);
  const approved = await post(c.agents.approver, `${res.headers.location}/approval`, { _once: onceKey() });
  expect(approved.status).toBe(303);
  expect(Number((await ctx.db('fund_accounts').sum({ n: 'paid_fen' }).first())!.n)).toBe(paid);
  expect((await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).first()).settlement).toBe(
    'withheld',
  );
  const decision = await post(c.agents.manager, `${approved.headers.location}/decision`, {
    decision: '',
    reason: '',
    _once: onceKey(),
  });
  expect(decision.status).toBe(422);
  const ok = await post(c.agents.manager, `${approved.headers.location}/decision`, {
    decision: 'continue',
    reason: '整改后继续',
    _once: onceKey(),
  });
  expect(ok.status).toBe(303);
  expect((await ctx.db('contracts').where({ id: c.contractId }).first()).status).toBe('active');
  expect((await c.agents.manager.get(approved.headers.location as string)).text).toContain('整改后继续');
});

it('refuses to propose or approve while a review (复核) of the closed evaluation is open', async () => {
  const c = await setup();
  await closeWith(ctx, c, 2, 8000);
  await invoiceFor(ctx, c, 2);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 2, {});
  await openReview(ctx, c, 2);
  const approve = await post(c.agents.approver, `/payments/proposals/${id}/approval`, { _once: onceKey() });
  expect(approve.status).toBe(409);
  expect(approve.text).toContain('复核');
  expect(await count('payments', c.contractId)).toBe(0);
  expect((await ctx.db('payment_proposals').where({ id }).first()).status).toBe('proposed');
  // A fresh proposal for the same milestone is refused too (after this one is rejected).
  await post(c.agents.approver, `/payments/proposals/${id}/rejection`, { reason: '等待复核', _once: onceKey() });
  const again = await post(c.agents.manager, c.page(2), { _once: onceKey() });
  expect(again.status).toBe(409);
  expect(again.text).toContain('复核');
  // Nor does the manager's dashboard offer to propose it meanwhile.
  expect((await c.agents.manager.get('/dashboard')).text).not.toContain(`href="${c.page(2)}"`);
});

it('corrects a release through the pages: the manager proposes a clawback, the approver approves it, the money stays paid until its return is recorded, both payments show the link', async () => {
  const c = await setup();
  await invoiceFor(ctx, c, 1);
  const paymentId = await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {}),
  );
  const tooMuch = await post(c.agents.manager, `/payments/${paymentId}/reversals`, {
    amount: (c.milestones[0].amountFen / 100).toFixed(2),
    reason: '多付',
    _once: onceKey(),
  });
  expect(tooMuch.status).toBe(303); // the whole release may be clawed back
  const proposal = tooMuch.headers.location as string;
  const page = await c.agents.approver.get(proposal);
  expect(page.text).toContain('批准追回');
  expect(page.text).toContain('最多可追回');
  const again = await post(c.agents.manager, `/payments/${paymentId}/reversals`, {
    amount: '1',
    reason: '再追',
    _once: onceKey(),
  });
  expect(again.status).toBe(409);
  const entries = await count('fund_entries', c.contractId);
  const approved = await post(c.agents.approver, `${proposal}/approval`, { _once: onceKey() });
  expect(approved.status).toBe(303);
  expect(approved.headers.location).toBe(proposal);
  // Approved, waiting for the money: no reversal payment, no ledger entry, the flash says so.
  expect(await count('payments', c.contractId)).toBe(1);
  expect(await count('fund_entries', c.contractId)).toBe(entries);
  const waiting = await c.agents.approver.get(proposal);
  expect(waiting.text).toContain('已批准追回：待社会组织退回款项');
  expect(waiting.text).toContain('已批准，待退回');
  expect(waiting.text).not.toContain('资金已拨付');
  expect(waiting.text).toContain(`action="${proposal}/return"`);
  expect((await c.agents.approver.get('/payments/queue')).text).toContain(`href="${proposal}"`);
  expect((await c.agents.approver.get('/dashboard')).text).toContain(`href="${proposal}"`);
  const milestone = await c.agents.staff.get(c.page(1));
  expect(milestone.text).toContain('待社会组织退回款项');
  // No second correction meanwhile: what is left counts the approved one.
  expect(
    (
      await post(c.agents.manager, `/payments/${paymentId}/reversals`, {
        amount: '1',
        reason: '再追',
        _once: onceKey(),
      })
    ).status,
  ).toBe(409);
  // The proposer (a manager) cannot record the return; a return dated before the approval is refused.
  expect(
    (await post(c.agents.manager, `${proposal}/return`, { voucherRef: 'TH-1', paidOn: '2026-12-01', _once: onceKey() }))
      .status,
  ).toBe(403);
  const early = await post(c.agents.approver, `${proposal}/return`, {
    voucherRef: 'TH-1',
    paidOn: '2020-01-01',
    _once: onceKey(),
  });
  expect(early.status).toBe(422);
  expect(early.text).toContain('退回日期不能早于批准追回的日期');
  const blank = await post(c.agents.approver, `${proposal}/return`, { voucherRef: '', paidOn: '', _once: onceKey() });
  expect(blank.status).toBe(422);
  expect(await count('payments', c.contractId)).toBe(1);
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const key = onceKey();
  const returned = await post(c.agents.approver, `${proposal}/return`, {
    voucherRef: 'TH-2026-001',
    paidOn: today,
    _once: key,
  });
  expect(returned.status).toBe(303);
  const reversalPath = returned.headers.location as string;
  expect(reversalPath).toMatch(/^\/payments\/\d+$/);
  const retry = await post(c.agents.approver, `${proposal}/return`, {
    voucherRef: 'TH-2026-001',
    paidOn: today,
    _once: key,
  });
  expect(retry.headers.location).toBe(reversalPath);
  expect(
    (await post(c.agents.approver, `${proposal}/return`, { voucherRef: 'TH-2', paidOn: today, _once: onceKey() }))
      .status,
  ).toBe(409);
  expect(await count('payments', c.contractId)).toBe(2);
  expect(await count('fund_entries', c.contractId)).toBe(entries + 2);
  const reversal = await c.agents.manager.get(reversalPath);
  expect(reversal.text).toContain(`/payments/${paymentId}`);
  expect(reversal.text).toContain('TH-2026-001');
  expect(reversal.text).toContain('退回凭证');
  expect(reversal.text).toContain('最多可追回');
  expect(reversal.text).not.toContain('尚未录入支付凭证');
  expect((await c.agents.manager.get(`/payments/${paymentId}`)).text).toContain('追回记录');
  expect((await c.agents.manager.get(c.page(1))).text).toContain('已退回（退回凭证已录入）');
  const bad = await post(c.agents.manager, `/payments/${paymentId}/reversals`, {
    amount: '-1',
    reason: '',
    _once: onceKey(),
  });
  expect(bad.status).toBe(422);
});

it('answers a stale approval form after the proposal was rejected with 409, changing nothing', async () => {
  const c = await setup();
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  const form = await c.agents.approver.get(`/payments/proposals/${id}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
  const keys = [...form.text.matchAll(/name="_once" value="([^"]+)"/g)].map((m) => m[1]);
  const noReason = await c.agents.approver
    .post(`/payments/proposals/${id}/rejection`)
    .type('form')
    .send({ _csrf: token, _once: keys[1], reason: '' });
  expect(noReason.status).toBe(422);
  expect(
    (
      await c.agents.approver
        .post(`/payments/proposals/${id}/rejection`)
        .type('form')
        .send({ _csrf: token, _once: keys[1], reason: '金额有误' })
    ).status,
  ).toBe(303);
  const stale = await c.agents.approver
    .post(`/payments/proposals/${id}/approval`)
    .type('form')
    .send({ _csrf: token, _once: keys[0] });
  expect(stale.status).toBe(409);
  expect(stale.text).toContain('已退回');
  expect(await count('payments', c.contractId)).toBe(0);
});
