import { systemActor, type Actor } from '../../src/audit/audit';
import { reconcile, negativeHoldings } from '../../src/modules/funds';
import { paymentInvariants } from '../../src/modules/payments';
import { approveProposal, proposePayment, proposeReversal, recordReturn } from '../../src/modules/payments/service';
import { DomainError } from '../../src/web/errors';
import { createTestContext, type TestContext } from '../helpers/app';
import { closeWith, invoiceFor, payableContract, sharedSourceContracts, type Payable } from './factory';

// Whole contracts (signed PDFs) per test: slow on a loaded machine.
jest.setTimeout(120_000);

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const db = () => (process.env.TEST_DATABASE_URL ? 'PostgreSQL, parallel transactions' : 'SQLite, serialized');
const actor = (i: number): Actor => ({ ...systemActor, label: `race-${i}` });

async function invariantsHold() {
  expect(await reconcile(ctx.db)).toEqual([]);
  expect(await negativeHoldings(ctx.db)).toEqual([]);
  expect(await paymentInvariants(ctx.db)).toEqual([]);
  const bad = await ctx
    .db('fund_accounts')
    .whereRaw('reserved_fen + committed_fen + paid_fen > allocated_fen or paid_fen < 0 or committed_fen < 0');
  expect(bad).toEqual([]);
}

/** Every milestone of the contract evaluated (passing) with its invoice, ready to propose. */
async function readyToPropose(c: Payable) {
  for (const m of c.milestones) {
    if (!m.advance) await closeWith(ctx, c, m.seq, 9000);
    await invoiceFor(ctx, c, m.seq);
  }
}

it(`releases one proposal once when 50 approvals race (${db()})`, async () => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const id = await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {});
  const second = await ctx.make.user('approver', { street_office_id: c.streetOfficeId });
  const approvers = [c.approver, { ...c.approver, id: Number(second.id), username: second.username }];
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) => approveProposal(ctx, actor(i), approvers[i % 2], id)),
  );
  const ok = results.filter((r) => r.status === 'fulfilled');
  expect(ok).toHaveLength(1);
  for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[]) {
    expect(r.reason).toBeInstanceOf(DomainError);
    expect(r.reason.status).toBe(409);
  }
  expect(await ctx.db('payments').where({ contract_id: c.contractId })).toHaveLength(1);
  expect(await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment' })).toHaveLength(1);
  expect(
    await ctx
      .db('audit_events')
      .where({ action: 'payment.approve' })
      .whereIn('subject_id', [String((ok[0] as PromiseFulfilledResult<number>).value)]),
  ).toHaveLength(1);
  await invariantsHold();
});

it(`keeps the released sum within the contract amount when proposals and approvals race past it (${db()})`, async () => {
  const c = await payableContract(ctx);
  await readyToPropose(c);
  // The contract's amount in force is lowered below its schedule (as a lowering amendment racing the
  // payments would leave it): paying every milestone would exceed it.
  const total = c.milestones.reduce((s, m) => s + m.amountFen, 0);
  const limit = total - Math.floor(c.milestones[2].amountFen / 2);
  await ctx
    .db('contract_versions')
    .where({ contract_id: c.contractId, status: 'current' })
    .update({ amount_fen: limit });
  const proposed = await Promise.allSettled(
    c.milestones.map((m, i) => proposePayment(ctx, actor(i), c.manager, c.contractId, m.seq, {})),
  );
  const ids = proposed.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value);
  // Proposals that would already exceed it are refused on proposing; write the rest directly, so
  // the approvals are the ones that must hold the line.
  for (const m of c.milestones.filter((_, i) => proposed[i].status === 'rejected')) {
    const row = await ctx.db('payment_proposals').where({ id: ids[0] }).first();
    const [inserted] = await ctx
      .db('payment_proposals')
      .insert({
        ...row,
        id: undefined,
        milestone_id: m.id,
        milestone_seq: m.seq,
        amount_fen: m.amountFen,
        allowed_fen: m.amountFen,
        sources_json: JSON.stringify([{ source: 'fiscal', amountFen: m.amountFen }]),
        status: 'proposed',
      })
      .returning('id');
    ids.push(Number(typeof inserted === 'object' ? inserted.id : inserted));
  }
  expect(ids).toHaveLength(3);
  const results = await Promise.allSettled(
    [...ids, ...ids].map((id, i) => approveProposal(ctx, actor(i), c.approver, id)),
  );
  expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(2);
  const released = await ctx
    .db('payments')
    .where({ contract_id: c.contractId, kind: 'release' })
    .sum({ n: 'amount_fen' })
    .first();
  expect(Number(released!.n)).toBeLessThanOrEqual(limit);
  await invariantsHold();
});

it(`never overdraws one small fund source shared by two contracts (${db()})`, async () => {
  const [a, b] = await sharedSourceContracts(ctx, 2);
  for (const c of [a, b]) await readyToPropose(c);
  const proposals: { c: Payable; id: number }[] = [];
  for (const c of [a, b])
    for (const m of c.milestones)
      proposals.push({ c, id: await proposePayment(ctx, systemActor, c.manager, c.contractId, m.seq, {}) });
  const results = await Promise.allSettled(proposals.map((p, i) => approveProposal(ctx, actor(i), p.c.approver, p.id)));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const account = await ctx.db('fund_accounts').where({ street_office_id: a.streetOfficeId, source: 'fiscal' }).first();
  expect(Number(account.paid_fen)).toBe(Number(account.allocated_fen));
  await invariantsHold();
  expect(await ctx.db('contracts').whereIn('id', [a.contractId, b.contractId]).pluck('status')).toEqual([
    'completed',
    'completed',
  ]);
});

it(`records a correction's return once when 30 returns and 10 new corrections race (${db()})`, async () => {
  const c = await payableContract(ctx);
  await invoiceFor(ctx, c, 1);
  const release = await approveProposal(
    ctx,
    systemActor,
    c.approver,
    await proposePayment(ctx, systemActor, c.manager, c.contractId, 1, {}),
  );
  const amount = Math.floor(c.milestones[0].amountFen / 2);
  const proposal = await proposeReversal(ctx, systemActor, c.manager, release, amount, '审计追回');
  await approveProposal(ctx, systemActor, c.approver, proposal);
  const second = await ctx.make.user('approver', { street_office_id: c.streetOfficeId });
  const approvers = [c.approver, { ...c.approver, id: Number(second.id), username: second.username }];
  const today = new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const results = await Promise.allSettled([
    ...Array.from({ length: 30 }, (_, i) => recordReturn(ctx, actor(i), approvers[i % 2], proposal, `TH-${i}`, today)),
    // Meanwhile the manager tries to claw back the rest: the approved correction already counts.
    ...Array.from({ length: 10 }, (_, i) => proposeReversal(ctx, actor(100 + i), c.manager, release, 1, '再追')),
  ]);
  expect(results.slice(0, 30).filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(results.slice(30).filter((r) => r.status === 'fulfilled')).toHaveLength(0);
  for (const r of results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[]) {
    expect(r.reason).toBeInstanceOf(DomainError);
    expect(r.reason.status).toBe(409);
  }
  const reversals = await ctx.db('payments').where({ contract_id: c.contractId, kind: 'reversal' });
  expect(reversals).toHaveLength(1);
  expect(Number(reversals[0].amount_fen)).toBe(amount);
  expect(await ctx.db('payment_vouchers').where({ payment_id: reversals[0].id })).toHaveLength(1);
  const back = await ctx.db('fund_entries').where({ contract_id: c.contractId, kind: 'payment_reversal' });
  expect(back.reduce((s, e) => s + Number(e.amount_fen), 0)).toBe(amount);
  expect(await ctx.db('payment_proposals').where({ reverses_payment_id: release })).toHaveLength(1);
  await invariantsHold();
});

it("refuses at approval a proposal forged past the contract's commitment, writing nothing", async () => {
  const [a, b] = await sharedSourceContracts(ctx, 2);
  await invoiceFor(ctx, a, 1);
  const id = await proposePayment(ctx, systemActor, a.manager, a.contractId, 1, {});
  const row = await ctx.db('payment_proposals').where({ id }).first();
  await approveProposal(ctx, systemActor, a.approver, (await ctx.db('payment_proposals').where({ id }).first()).id);
  // Contract a's final milestone, "paid" from the money committed to b (sources over a's commitment).
  const final = a.milestones[2];
  const held = Number(
    (await ctx.db('fund_accounts').where({ street_office_id: a.streetOfficeId, source: 'fiscal' }).first())
      .committed_fen,
  );
  const [forged] = await ctx
    .db('payment_proposals')
    .insert({
      ...row,
      id: undefined,
      milestone_id: final.id,
      milestone_seq: final.seq,
      amount_fen: final.amountFen,
      allowed_fen: final.amountFen,
      sources_json: JSON.stringify([{ source: 'fiscal', amountFen: held }]),
      status: 'proposed',
      reason: 'forged',
    })
    .returning('id');
  await closeWith(ctx, a, final.seq, 9000);
  const before = Number((await ctx.db('fund_entries').count({ n: '*' }).first())!.n);
  await expect(
    approveProposal(ctx, systemActor, a.approver, Number(typeof forged === 'object' ? forged.id : forged)),
  ).rejects.toBeInstanceOf(DomainError);
  expect(Number((await ctx.db('fund_entries').count({ n: '*' }).first())!.n)).toBe(before);
  expect(await ctx.db('payments').where({ contract_id: a.contractId })).toHaveLength(1);
  expect(b.contractId).toBeGreaterThan(0);
  await invariantsHold();
});
