import { systemActor } from '../../src/audit/audit';
import { approveProposal, proposePayment, uploadInvoice } from '../../src/modules/payments/service';
import { managerUser } from '../awards/factory';
import { minimalPdf } from '../helpers/pdf-fixture';
import { sessionUser } from '../payments/factory';
import type { TestContext } from '../helpers/app';
import { csrfFrom, type Agent } from '../helpers/http';
import { activeContract, completeReport, PNG, postReport, scores } from '../evaluations/factory';

const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });

/**
 * A call walked through the whole chain: published, bid, reviewed, awarded (final), contract signed,
 * the mid-term report submitted and its evaluation closed, the advance and the mid-term paid through
 * the payments module (invoice, proposal by the manager, approval by the street's approver).
 */
export async function walkedChain(ctx: TestContext) {
  const c = await activeContract(ctx);
  expect(
    (
      await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport({ selfScore: '88.5' }) }, [
        { name: 'a.png', content: PNG },
      ])
    ).status,
  ).toBe(303);
  const base = `/contracts/${c.contractId}/milestones/2/evaluation`;
  expect(
    (await post(c.manager, `${base}/manager-score`, { ...scores('73.33'), comment: '评审意见：台账基本齐全' })).status,
  ).toBe(303);
  expect((await post(c.manager, `${base}/closing`)).status).toBe(303);
  const contract = await ctx.db('contracts').where({ id: c.contractId }).first();
  const advance = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 1 }).first();
  const approver = sessionUser({
    ...(await ctx.make.user('approver', { street_office_id: c.call.streetOfficeId })),
    role: 'approver',
  });
  const pdf = minimalPdf();
  const paymentIds: number[] = [];
  for (const seq of [1, 2]) {
    const m = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq }).first();
    const file = {
      fieldname: 'file',
      originalname: 'invoice.pdf',
      mimetype: 'application/pdf',
      size: pdf.length,
      buffer: pdf,
    } as Express.Multer.File;
    await uploadInvoice(ctx, systemActor, c.staffUser, c.contractId, seq, file, 'invoice', Number(m.amount_fen));
    const proposal = await proposePayment(ctx, systemActor, managerUser(c.call), c.contractId, seq, {});
    paymentIds.push(await approveProposal(ctx, systemActor, approver, proposal));
  }
  const mid = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).first();
  return {
    ...c,
    contract,
    advanceFen: Number(advance.amount_fen),
    midFen: Number(mid.amount_fen),
    paidFen: Number(advance.amount_fen) + Number(mid.amount_fen),
    paymentIds,
  };
}
