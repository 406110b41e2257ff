import { systemActor } from '../../src/audit/audit';
import { reconcile, negativeHoldings } from '../../src/modules/funds';
import { paymentDashboard, paymentJournalQuery, paymentsOfContract } from '../../src/modules/payments';
import {
  approveProposal,
  proposePayment,
  proposeReversal,
  recordReturn,
  recordVoucher,
  rejectProposal,
} from '../../src/modules/payments/service';
import { createTestContext, type TestContext } from '../helpers/app';
import { closeWith, invoiceFor, payableContract } from './factory';

// Whole contracts (signed PDFs) per test: slow on a loaded machine.
jest.setTimeout(120_000);

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const balances = async (c: { streetOfficeId: number }) =>
  ctx
    .db('fund_accounts')
    .where({ street_office_id: c.streetOfficeId })
    .orderBy('source')
    .select('source', 'allocated_fen', 'committed_fen', 'paid_fen');

it('releases the advance, then a pro-rata partial, then the final; the contract completes and its unspent commitment returns', async () => {
  const c = await payableContract(ctx);
  const [advance, mid, final] = c.milestones;
  expect(advance.advance).toBe(true);
  await invoiceFor(ctx, c, 1);
  const p1 = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  // The proposer cannot approve, an approver can.
  await expect(approveProposal(ctx, systemActor, { ...c.manager, role: 'approver' }, p1)).rejects.toMatchObject({
    status: 403,
    messageKey: 'payments.errors.fourEyes',
  });
  const pay1 = await approveProposal(ctx, systemActor, c.approver, p1);
  expect(await ctx.db('contract_milestones').where({ id: advance.id }).first('settlement')).toMatchObject({
    settlement: 'paid',
  });
  await expect(approveProposal(ctx, systemActor, c.approver, p1)).rejects.toMatchObject({ status: 409 });

  await ctx
    .db('contract_milestones')
    .where({ id: mid.id })
    .update({ partial_rule: 'pro_rata', floor_score: 40, pass_score: 60 });
  const consequence = await closeWith(ctx, c, 2, 5000);
  expect(consequence.kind).toBe('partial');
  expect(consequence.payableFen).toBe(Math.floor((mid.amountFen * (5000 - 4000)) / 2000));
  await invoiceFor(ctx, c, 2, consequence.payableFen);
  await expect(
    proposePayment(ctx, systemActor, c.manager, c.contractId, 2, { amountFen: consequence.payableFen + 1 }),
  ).rejects.toMatchObject({ status: 422 });
  await expect(
    proposePayment(ctx, systemActor, c.manager, c.contractId, 2, { amountFen: consequence.payableFen - 1 }),
  ).rejects.toMatchObject({ status: 422, fieldErrors: { reason: 'payments.errors.reasonWhenLess' } });
  const p2 = await proposePayment(ctx, systemActor, c.manager, c.contractId, 2, {});
  await approveProposal(ctx, systemActor, c.approver, p2);

  await closeWith(ctx, c, 3, 9000);
  await invoiceFor(ctx, c, 3);
  const p3 = await proposePayment(ctx, systemActor, c.manager, c.contractId, 3, {});
  const rejected = await rejectProposal(ctx, systemActor, c.approver, p3, '发票抬头有误');
  expect(rejected).toBe(p3);
  const p3b = await proposePayment(ctx, systemActor, c.manager, c.contractId, 3, {});
  await approveProposal(ctx, systemActor, c.approver, p3b);
  expect((await ctx.db('contracts').where({ id: c.contractId }).first()).status).toBe('completed');
  // Nothing left committed: the partial milestone's unpaid rest returned to available.
  const b = await balances(c);
  expect(b.every((r) => Number(r.committed_fen) === 0)).toBe(true);
  expect(b.reduce((s, r) => s + Number(r.paid_fen), 0)).toBe(
    advance.amountFen + consequence.payableFen + final.amountFen,
  );
  expect(await reconcile(ctx.db)).toEqual([]);
  expect(await negativeHoldings(ctx.db)).toEqual([]);

  // Voucher and a correction of the advance.
  await recordVoucher(
    ctx,
    systemActor,
    c.approver,
    pay1,
    'PZ-2026-001',
    new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10),
  );
  const r = await proposeReversal(ctx, systemActor, c.manager, pay1, 100_00, '审计发现多付');
  // Approving the correction decides it only: the money stays paid until it has come back.
  const paidBefore = await ctx.db('fund_accounts').where({ street_office_id: c.streetOfficeId }).sum({ n: 'paid_fen' });
  expect(await approveProposal(ctx, systemActor, c.approver, r)).toBe(r);
  expect(await ctx.db('payments').where({ proposal_id: r })).toHaveLength(0);
  expect(await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment_reversal' })).toHaveLength(0);
  expect(await ctx.db('fund_accounts').where({ street_office_id: c.streetOfficeId }).sum({ n: 'paid_fen' })).toEqual(
    paidBefore,
  );
  expect((await paymentDashboard(ctx, c.approver))!.returnsToRecord.map((x) => x.proposal_id)).toEqual([r]);
  await expect(proposeReversal(ctx, systemActor, c.manager, pay1, 1, '再追')).rejects.toMatchObject({ status: 409 });
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  await expect(recordReturn(ctx, systemActor, c.manager, r, 'TH-1', today)).rejects.toMatchObject({ status: 403 });
  const rev = await recordReturn(ctx, systemActor, c.approver, r, 'TH-2026-001', today);
  await expect(recordReturn(ctx, systemActor, c.approver, r, 'TH-2026-001', today)).rejects.toMatchObject({
    status: 409,
  });
  expect(await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment_reversal' })).toHaveLength(1);
  expect((await paymentDashboard(ctx, c.approver))!.returnsToRecord).toEqual([]);
  expect(await reconcile(ctx.db)).toEqual([]);
  const listed = await paymentsOfContract(ctx.db, c.contractId);
  expect(listed.map((p) => [p.kind, p.milestoneSeq])).toEqual([
    ['release', 1],
    ['release', 2],
    ['release', 3],
    ['reversal', 1],
  ]);
  expect(listed[0].status).toBe('confirmed');
  expect(listed[3]).toMatchObject({ paymentId: rev, amountFen: 100_00, reversesPaymentId: pay1 });
  const journal = await paymentJournalQuery(ctx.db, { streetOfficeIds: [c.streetOfficeId] });
  expect(journal).toHaveLength(4);
  expect(journal[0]).toMatchObject({
    payment_id: pay1,
    kind: 'release',
    contract_number: expect.any(String),
    milestone_seq: 1,
    voucher_ref: 'PZ-2026-001',
  });
  expect(String(journal[3].ledger_entry_ids).split(',')).toHaveLength(2);
  expect(Number(journal[0].fiscal_fen)).toBe(advance.amountFen);
  expect(await paymentDashboard(ctx, c.approver)).toMatchObject({ queue: [] });
});

it('lists a proposal in the approver queue and the milestones to propose for the manager', async () => {
  const c = await payableContract(ctx);
  const before = await paymentDashboard(ctx, c.manager);
  expect(before!.toPropose.map((m) => m.seq)).toEqual([1]);
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  const d = await paymentDashboard(ctx, c.approver);
  expect(d!.queue.map((p) => p.id)).toEqual([id]);
  expect((await paymentDashboard(ctx, c.manager))!.toPropose).toEqual([]);
  expect(await paymentDashboard(ctx, c.staff)).toBeUndefined();
});
