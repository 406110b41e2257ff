import { systemActor } from '../../src/audit/audit';
import { reconcile } from '../../src/modules/funds';
import { paymentInvariants } from '../../src/modules/payments';
import {
  approveProposal,
  faults,
  proposePayment,
  proposeReversal,
  recordReturn,
  rejectProposal,
} from '../../src/modules/payments/service';
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
    vouchers: await n('payment_vouchers'),
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

it.each([
  ['between the reversal payment insert and the ledger movement', 'afterPaymentInsert'],
  ['after the ledger, before the audit event', 'beforeAudit'],
] as const)("writes nothing when recording a correction's return fails %s", async (_label, hook) => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const release = await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {}),
  );
  const id = await proposeReversal(ctx, systemActor, c.manager, release, 100_00, '审计追回');
  // The approval alone moves no money.
  const beforeApproval = await snapshot();
  await approveProposal(ctx, systemActor, c.approver, id);
  const before = await snapshot();
  expect(before.entries).toBe(beforeApproval.entries);
  expect(before.accounts).toEqual(beforeApproval.accounts);
  expect(before.payments).toBe(beforeApproval.payments);
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  faults[hook] = () => {
    throw new Error('injected failure');
  };
  await expect(recordReturn(ctx, systemActor, c.approver, id, 'TH-1', today)).rejects.toThrow('injected failure');
  expect(await snapshot()).toEqual(before);
  expect(await reconcile(ctx.db)).toEqual([]);
  delete faults[hook];
  const reversal = await recordReturn(ctx, systemActor, c.approver, id, 'TH-1', today);
  expect(await paymentInvariants(ctx.db)).toEqual([]);
  expect(await ctx.db('payment_sources').where({ payment_id: reversal })).not.toHaveLength(0);
  expect(await ctx.db('payment_vouchers').where({ payment_id: reversal })).toHaveLength(1);
});

it('refuses in the database a reversal payment without its approved proposal, and a second correction of a release', async () => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const release = await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {}),
  );
  // A correction forged past the release (written directly) is refused on approval by the trigger.
  const refused = await proposeReversal(ctx, systemActor, c.manager, release, 1, '审计追回');
  await rejectProposal(ctx, systemActor, c.approver, refused, '金额有误');
  const template = await ctx.db('payment_proposals').where({ id: refused }).first();
  const over = c.milestones[0].amountFen + 1;
  const [forged] = await ctx
    .db('payment_proposals')
    .insert({
      ...template,
      id: undefined,
      status: 'proposed',
      decided_by: null,
      decided_at: null,
      decision_reason: null,
      amount_fen: over,
      allowed_fen: over,
      sources_json: JSON.stringify([{ source: 'fiscal', amountFen: over }]),
    })
    .returning('id');
  const forgedId = Number(typeof forged === 'object' ? forged.id : forged);
  await expect(approveProposal(ctx, systemActor, c.approver, forgedId)).rejects.toMatchObject({ status: 409 });
  expect((await ctx.db('payment_proposals').where({ id: forgedId }).first()).status).toBe('proposed');
  await rejectProposal(ctx, systemActor, c.approver, forgedId, '伪造');
  const id = await proposeReversal(ctx, systemActor, c.manager, release, 100_00, '审计追回');
  const row = await ctx.db('payments').where({ id: release }).first();
  const reversal = {
    ...row,
    id: undefined,
    kind: 'reversal',
    proposal_id: id,
    amount_fen: 100_00,
    reverses_payment_id: release,
  };
  // Still proposed: no reversal payment may be written for it.
  await expect(ctx.db('payments').insert(reversal)).rejects.toThrow(/approved reversal proposal/);
  await approveProposal(ctx, systemActor, c.approver, id);
  // Approved: only of its own amount.
  await expect(ctx.db('payments').insert({ ...reversal, amount_fen: 100_01 })).rejects.toThrow(
    /approved reversal proposal/,
  );
  // A second correction of the release while the first waits for its money (the unique index).
  const proposal = await ctx.db('payment_proposals').where({ id }).first();
  await expect(
    ctx.db('payment_proposals').insert({
      ...proposal,
      id: undefined,
      status: 'proposed',
      decided_by: null,
      decided_at: null,
      amount_fen: 1,
    }),
  ).rejects.toThrow(/unique|UNIQUE/);
  expect(await ctx.db('payments').where({ contract_id: c.contractId })).toHaveLength(1);
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
