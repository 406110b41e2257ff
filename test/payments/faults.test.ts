import { systemActor } from '../../src/audit/audit';
import { reconcile } from '../../src/modules/funds';
import { paymentInvariants } from '../../src/modules/payments';
import { approveProposal, faults, proposePayment } from '../../src/modules/payments/service';
import { createTestContext, type TestContext } from '../helpers/app';
import { invoiceFor, payableContract } from './factory';

// Whole contracts (signed PDFs) per test: slow on a loaded machine.
jest.setTimeout(120_000);

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
afterEach(() => {
  delete faults.afterPaymentInsert;
  delete faults.beforeAudit;
});

async function snapshot() {
  const n = async (t: string) => Number((await ctx.db(t).count({ n: '*' }).first())!.n);
  return {
    payments: await n('payments'),
    sources: await n('payment_sources'),
    entries: await n('fund_entries'),
    audit: await n('audit_events'),
    notifications: await n('notifications'),
    accounts: await ctx.db('fund_accounts').orderBy('id').select('committed_fen', 'paid_fen'),
    settled: await ctx.db('contract_milestones').whereNotNull('settlement').count({ n: '*' }).first(),
    head: await ctx.db('audit_chain_head').first('last_event_id', 'last_hash'),
  };
}

it.each([
  ['between the payment insert and the ledger movement', 'afterPaymentInsert'],
  ['after the ledger, before the audit event', 'beforeAudit'],
] as const)('writes nothing when the approval fails %s', async (_label, hook) => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  const before = await snapshot();
  faults[hook] = () => {
    throw new Error('injected failure');
  };
  await expect(approveProposal(ctx, systemActor, c.approver, id)).rejects.toThrow('injected failure');
  expect(await snapshot()).toEqual(before);
  expect((await ctx.db('payment_proposals').where({ id }).first()).status).toBe('proposed');
  expect(await reconcile(ctx.db)).toEqual([]);
  // Once the fault is gone the same proposal is approved normally.
  delete faults[hook];
  await approveProposal(ctx, systemActor, c.approver, id);
  expect(await paymentInvariants(ctx.db)).toEqual([]);
  expect(await ctx.db('payments').where({ proposal_id: id })).toHaveLength(1);
});

it('refuses UPDATE and DELETE of payments, their sources and decided proposals (append-only triggers)', async () => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  // An open proposal's amount cannot be changed either: only its decision.
  await expect(ctx.db('payment_proposals').where({ id }).update({ amount_fen: 1 })).rejects.toThrow(/cannot change/);
  const paymentId = await approveProposal(ctx, systemActor, c.approver, id);
  await expect(ctx.db('payments').where({ id: paymentId }).update({ amount_fen: 1 })).rejects.toThrow(/append-only/);
  await expect(ctx.db('payments').where({ id: paymentId }).delete()).rejects.toThrow(/append-only/);
  await expect(ctx.db('payment_sources').where({ payment_id: paymentId }).update({ amount_fen: 1 })).rejects.toThrow(
    /append-only/,
  );
  await expect(
    ctx.db('payment_proposals').where({ id }).update({ status: 'rejected', decision_reason: 'x' }),
  ).rejects.toThrow(/cannot change/);
  await expect(ctx.db('payment_proposals').where({ id }).delete()).rejects.toThrow(/never deleted/);
  await expect(ctx.db('fund_entries').where({ contract_id: c.contractId }).delete()).rejects.toThrow(/append-only/);
  // The database's own limits: a second settling payment of the milestone, one above the share.
  const row = await ctx.db('payments').where({ id: paymentId }).first();
  await expect(ctx.db('payments').insert({ ...row, id: undefined, proposal_id: id + 1000 })).rejects.toThrow();
  const m2 = c.milestones[1];
  await expect(
    ctx
      .db('payments')
      .insert({ ...row, id: undefined, milestone_id: m2.id, milestone_seq: 2, amount_fen: m2.amountFen + 1 }),
  ).rejects.toThrow(/share|FOREIGN|foreign/);
  await expect(
    ctx
      .db('payments')
      .insert({ ...row, id: undefined, milestone_id: m2.id, milestone_seq: 2, approved_by: row.proposed_by }),
  ).rejects.toThrow(/four_eyes|CHECK|check/);
});
