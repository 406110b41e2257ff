import { systemActor } from '../../src/audit/audit';
import {
  approveProposal,
  proposePayment,
  proposeReversal,
  recordReturn,
  recordWithheldDecision,
} from '../../src/modules/payments/service';
import { terminateContract } from '../../src/modules/contracts';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { closePdfText, pdfPages } from '../helpers/pdf-text';
import { closeWith, invoiceFor, payableContract } from '../payments/factory';
import { AWKWARD, binary, parseCsv, readXlsx } from './fixture';

/**
 * The register's remaining payable (剩余应付): amount − paid − reclaimed − no longer payable, where a
 * pro-rata shortfall, a withheld milestone and the unsettled rest of a terminated contract are no
 * longer payable and reclaimed money is not paid again. Awkward fen in all four sources.
 */
let ctx: TestContext;
let agent: Awaited<ReturnType<typeof loginAs>>['agent'];
let streetId: number;
let otherStreetId: number;
const expected: Record<
  number,
  { amount: number; paid: number; reclaimed: number; notPayable: number; remaining: number }
> = {};

const sum = (rows: { amount_fen: unknown }[]) => rows.reduce((a, r) => a + Number(r.amount_fen), 0);

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
  const total = Object.values(AWKWARD).reduce((a, b) => a + b, 0);
  // A: the advance paid and a third of it reclaimed, the mid-term paid pro rata (53.33 between 40 and 60), the final open.
  const a = await payableContract(ctx, {
    sources: AWKWARD,
    bids: [
      { priceFen: total - 2, scores: [[90, 90]] },
      { priceFen: total - 5, scores: [[70, 70]] },
    ],
  });
  streetId = a.streetOfficeId;
  await ctx
    .db('contract_milestones')
    .where({ contract_id: a.contractId, seq: 2 })
    .update({ partial_rule: 'pro_rata', floor_score: 40, pass_score: 60 });
  await invoiceFor(ctx, a, 1);
  const advance = await approveProposal(
    ctx,
    systemActor,
    a.approver,
    await proposePayment(ctx, systemActor, a.manager, a.contractId, 1, {}),
  );
  const consequence = await closeWith(ctx, a, 2, 5333);
  const midShare = Number(
    (await ctx.db('contract_milestones').where({ contract_id: a.contractId, seq: 2 }).first('amount_fen')).amount_fen,
  );
  expect(consequence.kind).toBe('partial');
  await invoiceFor(ctx, a, 2);
  await approveProposal(
    ctx,
    systemActor,
    a.approver,
    await proposePayment(ctx, systemActor, a.manager, a.contractId, 2, {}),
  );
  const released = Number((await ctx.db('payments').where({ id: advance }).first('amount_fen')).amount_fen);
  const clawback = await proposeReversal(
    ctx,
    systemActor,
    a.manager,
    advance,
    Math.floor(released / 3),
    '多付，追回三分之一',
  );
  await approveProposal(ctx, systemActor, a.approver, clawback);
  // Approving a clawback moves no money; recording its return does (payments README, Correct).
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  await recordReturn(ctx, systemActor, a.approver, clawback, 'TH-2026-001', today);

  // B (another street office of the same auditor): the advance paid, the mid-term withheld (30 points), then terminated.
  const b = await payableContract(ctx, {
    sources: AWKWARD,
    bids: [
      { priceFen: total - 7, scores: [[90, 90]] },
      { priceFen: total - 9, scores: [[70, 70]] },
    ],
  });
  otherStreetId = b.streetOfficeId;
  await invoiceFor(ctx, b, 1);
  await approveProposal(
    ctx,
    systemActor,
    b.approver,
    await proposePayment(ctx, systemActor, b.manager, b.contractId, 1, {}),
  );
  await closeWith(ctx, b, 2, 3000);
  const withheld = await approveProposal(
    ctx,
    systemActor,
    b.approver,
    await proposePayment(ctx, systemActor, b.manager, b.contractId, 2, { reason: '服务未达标' }),
  );
  await recordWithheldDecision(ctx, systemActor, b.manager, withheld, 'terminate', '整改无效，终止合同');
  await terminateContract(ctx, systemActor, b.manager, b.contractId, '整改无效，终止合同'); // as the decision's handler does next
  expect((await ctx.db('contracts').where({ id: b.contractId }).first('status')).status).toBe('terminated');

  // The oracle, from the rows themselves (not the report's SQL).
  for (const c of [a, b]) {
    const amount = Number(
      (await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'current' }).first('amount_fen'))
        .amount_fen,
    );
    const released = sum(await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment' }));
    const reclaimed = sum(await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment_reversal' }));
    const ms = await ctx.db('contract_milestones').where({ contract_id: c.contractId });
    const terminated = (await ctx.db('contracts').where({ id: c.contractId }).first('status')).status === 'terminated';
    const settledShare = sum(ms.filter((m) => m.settlement !== null));
    const notPayable = settledShare - released + (terminated ? amount - settledShare : 0);
    expected[c.contractId] = {
      amount,
      paid: released - reclaimed,
      reclaimed,
      notPayable,
      remaining: amount - released - notPayable,
    };
  }
  // What the arithmetic should give, checked by hand once: A's final share remains; B nothing.
  const finalShare = Number(
    (await ctx.db('contract_milestones').where({ contract_id: a.contractId, seq: 3 }).first('amount_fen')).amount_fen,
  );
  expect(expected[a.contractId].remaining).toBe(finalShare);
  expect(expected[a.contractId].notPayable).toBe(midShare - consequence.payableFen);
  expect(expected[a.contractId].reclaimed).toBe(Math.floor(released / 3));
  expect(expected[b.contractId].remaining).toBe(0);
  ({ agent } = await loginAs(ctx, 'auditor', { auditStreets: [streetId, otherStreetId] }));
}, 120_000);
afterAll(async () => {
  await closePdfText();
  await ctx.close();
});

const get = (path: string) => agent.get(path).buffer(true).parse(binary);
const yuan = (fen: number) => (fen / 100).toFixed(2);
const money = (fen: number) => `${Math.trunc(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
const totals = () =>
  Object.values(expected).reduce(
    (t, e) => ({
      amount: t.amount + e.amount,
      paid: t.paid + e.paid,
      reclaimed: t.reclaimed + e.reclaimed,
      notPayable: t.notPayable + e.notPayable,
      remaining: t.remaining + e.remaining,
    }),
    { amount: 0, paid: 0, reclaimed: 0, notPayable: 0, remaining: 0 },
  );

it('adds up per contract: amount = paid + reclaimed + no longer payable + remaining, to the fen', () => {
  for (const e of Object.values(expected)) expect(e.paid + e.reclaimed + e.notPayable + e.remaining).toBe(e.amount);
  expect(Object.values(expected).every((e) => e.notPayable > 0)).toBe(true);
});

it('shows the columns and their totals in the spreadsheet (numeric cells, total row = sum of the fen)', async () => {
  const ws = (await readXlsx((await get(`/reports/register/export?street=all&year=2026&format=xlsx`)).body as Buffer))
    .worksheets[0];
  const headers = (ws.getRow(1).values as unknown[]).slice(1);
  const col = (name: string) => headers.indexOf(name) + 1;
  const fen = (r: number, name: string) => Math.round(Number(ws.getRow(r).getCell(col(name)).value) * 100);
  const byNumber = new Map<string, number>();
  for (const [id, n] of (
    await ctx.db('contracts').whereIn('id', Object.keys(expected).map(Number)).select('id', 'number')
  ).map((r) => [Number(r.id), String(r.number)] as const))
    byNumber.set(n, id);
  for (let r = 2; r <= 3; r++) {
    const e = expected[byNumber.get(String(ws.getRow(r).getCell(col('合同编号')).value))!];
    expect([
      fen(r, '已支付（元）'),
      fen(r, '已追回（元）'),
      fen(r, '不再支付（元）'),
      fen(r, '剩余应付（元）'),
    ]).toEqual([e.paid, e.reclaimed, e.notPayable, e.remaining]);
    expect(typeof ws.getRow(r).getCell(col('剩余应付（元）')).value).toBe('number');
  }
  const t = totals();
  expect([fen(4, '已追回（元）'), fen(4, '不再支付（元）'), fen(4, '剩余应付（元）')]).toEqual([
    t.reclaimed,
    t.notPayable,
    t.remaining,
  ]);
});

it('shows them in the CSV, on the page with the definition, and the remaining payable in the PDF', async () => {
  const csv = parseCsv(
    ((await get(`/reports/register/export?street=all&year=2026&format=csv`)).body as Buffer)
      .subarray(3)
      .toString('utf8'),
  );
  const t = totals();
  const total = csv.find((r) => r[0] === '合计')!;
  expect(total[csv[0].indexOf('剩余应付（元）')]).toBe(yuan(t.remaining));
  expect(total[csv[0].indexOf('不再支付（元）')]).toBe(yuan(t.notPayable));
  expect(total[csv[0].indexOf('已追回（元）')]).toBe(yuan(t.reclaimed));

  const page = await agent.get(`/reports/register?street=all&year=2026`);
  expect(page.text).toContain('剩余应付 = 合同金额 − 已支付 − 已追回 − 不再支付');
  for (const e of Object.values(expected)) expect(page.text).toContain(money(e.remaining));
  expect(page.text).toContain(money(t.notPayable));

  const pdf = (
    await pdfPages((await get(`/reports/register/export?street=all&year=2026&format=pdf`)).body as Buffer)
  ).join('\n');
  expect(pdf).toContain('剩余应付');
  expect(pdf).toContain(money(t.remaining));

  await agent.get('/language?lang=en&returnTo=/reports');
  const en = await agent.get(`/reports/register?street=all&year=2026`);
  expect(en.text).toContain('Remaining payable (yuan)');
  expect(en.text).toContain('Remaining payable = amount − paid − reclaimed − no longer payable');
  await agent.get('/language?lang=zh-CN&returnTo=/reports');
});
