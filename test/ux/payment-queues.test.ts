import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { payableContract, PDF } from '../payments/factory';
import { paymentItems } from '../../src/modules/dashboard/queues';
import type { PaymentDashboard } from '../../src/modules/payments';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });

describe("payments on the dashboards' queues (paymentDashboard of the payments module)", () => {
  it("the manager sees the advance to propose; once proposed, it is in the approver's queue, linked to the proposal", async () => {
    const c = await payableContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const approver = await signIn(ctx, c.approverRow.username);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    const page = `/contracts/${c.contractId}/milestones/1/payment`;
    expect((await approver.get('/dashboard')).text).toContain('目前没有等待您处理的事项。');
    expect((await manager.get('/dashboard')).text).toContain(`href="${page}"><strong>提出付款</strong>`);

    const token = await csrfFrom(staff, page);
    const up = await staff
      .post(`/contracts/${c.contractId}/milestones/1/invoices`)
      .field('_csrf', token)
      .field('kind', 'invoice')
      .field('amount', String(c.milestones[0].amountFen / 100))
      .attach('file', PDF, 'fapiao.pdf');
    expect(up.status).toBe(303);
    const proposed = await post(manager, page, { _once: `k-${Date.now()}` });
    expect(proposed.status).toBe(303);
    const dashboard = await approver.get('/dashboard');
    expect(dashboard.text).toContain(`href="${proposed.headers.location}"><strong>审批付款</strong>`);
  });
});

describe("the approver's queue names what is to be decided", () => {
  it('a correction (追回) and a decision to pay nothing are not offered as payments', () => {
    const waiting = (kind: string, id: number) => ({
      id,
      kind,
      contract_number: 'DS-2026-0001',
      milestone_title: '首期款',
      organization_name: '安心',
      amount_fen: 120_000,
      proposed_at: `2026-12-0${id}T00:00:00.000Z`,
      own: false,
      link: `/payments/proposals/${id}`,
    });
    const items = paymentItems({
      queue: [waiting('release', 1), waiting('reversal', 2), waiting('withheld', 3)],
      toPropose: [],
      vouchersMissing: [],
      returnsToRecord: [
        {
          proposal_id: 4,
          contract_number: 'DS-2026-0001',
          organization_name: '安心',
          milestone_seq: 1,
          amount_fen: 100_00,
          reverses_payment_id: 1,
          decided_at: '2026-12-04T00:00:00.000Z',
          link: '/payments/proposals/4',
        },
      ],
    } as unknown as PaymentDashboard);
    expect(items.map((i) => [i.kind, i.href])).toEqual([
      ['approvePayment', '/payments/proposals/1'],
      ['approveReversal', '/payments/proposals/2'],
      ['approveWithheld', '/payments/proposals/3'],
      // An approved correction whose money has not come back: recording its return moves the money.
      ['recordReturn', '/payments/proposals/4'],
    ]);
  });
});
