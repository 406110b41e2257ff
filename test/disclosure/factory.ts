import { auditedTransaction, systemActor } from '../../src/audit/audit';
import { payFromCommitment } from '../../src/modules/funds';
import type { TestContext } from '../helpers/app';
import { csrfFrom, type Agent } from '../helpers/http';
import { activeContract, completeReport, PNG, postReport } from '../evaluations/factory';

const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) => agent.post(path).type('form').send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });

/**
 * A call walked through the whole chain: published, bid, reviewed, awarded (final), contract signed,
 * the mid-term report submitted and its evaluation closed, the advance paid (through the funds
 * ledger, as the payment step will).
 */
export async function walkedChain(ctx: TestContext) {
  const c = await activeContract(ctx);
  expect((await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport({ selfScore: '88.5' }) }, [{ name: 'a.png', content: PNG }])).status).toBe(303);
  const base = `/contracts/${c.contractId}/milestones/2/evaluation`;
  expect((await post(c.manager, `${base}/manager-score`, { score: '73.33', comment: '评审意见：台账基本齐全' })).status).toBe(303);
  expect((await post(c.manager, `${base}/closing`)).status).toBe(303);
  const contract = await ctx.db('contracts').where({ id: c.contractId }).first();
  const advance = await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 1 }).first();
  await auditedTransaction(ctx.db, systemActor, ctx.clock.now(), async (trx) => {
    await payFromCommitment(trx, { awardItemId: Number(contract.award_item_id), contractId: c.contractId, userId: null, now: ctx.clock.now(), amounts: [{ source: 'fiscal', amountFen: Number(advance.amount_fen) }] });
    return { result: undefined, audit: { action: 'payment.test', subjectType: 'contract', subjectId: String(c.contractId), after: {} } };
  });
  return { ...c, contract, advanceFen: Number(advance.amount_fen) };
}
