import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { managerUser } from '../awards/factory';
import { closedEvaluation } from '../../src/modules/evaluations';
import { closeEvaluation } from '../../src/modules/evaluations/evaluation';
import { InvalidState } from '../../src/web/errors';
import { activeContract, completeReport, PNG, postReport, scores } from './factory';

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
const evaluation = (contractId: number) =>
  ctx.db('milestone_evaluations').where({ contract_id: contractId, milestone_seq: 2 }).first();

/** A contract whose mid-term milestone (weights self 10, manager 30, peer/citizen/third party 20
 *  each, pass score 60) has a submitted report with a self score of 88.5. */
async function submitted() {
  const c = await activeContract(ctx);
  await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).update({
    weight_self: 10,
    weight_manager: 30,
    weight_peer: 20,
    weight_citizen: 20,
    weight_third_party: 20,
    pass_score: 60,
    partial_rule: 'none',
    floor_score: null,
  });
  expect(
    (
      await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport({ selfScore: '88.5' }) }, [
        { name: 'a.png', content: PNG },
      ])
    ).status,
  ).toBe(303);
  const milestoneId = Number(
    (await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).first()).id,
  );
  const base = `/contracts/${c.contractId}/milestones/2/evaluation`;
  return { ...c, milestoneId, scorePath: `${base}/manager-score`, closePath: `${base}/closing` };
}

it('a submitted report opens the evaluation; the manager scores and closes; the result is fixed and readable by the payment step', async () => {
  const c = await submitted();
  const opened = await evaluation(c.contractId);
  expect(opened).toMatchObject({ status: 'open', manager_score: null });
  expect((await c.manager.get(c.reportPath())).text).toContain('evaluation/manager-score');
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toBeUndefined();

  // Closing before the street office scored: refused, nothing changed.
  const early = await post(c.manager, c.closePath);
  expect(early.status).toBe(409);
  expect(early.text).toContain('请先保存街道评分再结束评估');
  expect((await evaluation(c.contractId)).status).toBe('open');

  expect((await post(c.manager, c.scorePath, { ...scores('73.33'), comment: '台账基本齐全' })).status).toBe(303);
  const closed = await post(c.manager, c.closePath);
  expect(closed.status).toBe(303);
  // (8850·10 + 7333·30) / 40 = 7712.25 -> 77.12: 合格, three stars, passes 60. Peer, citizens and
  // the third party did not score: their 60% went to self (25%) and manager (75%).
  const row = await evaluation(c.contractId);
  expect(row).toMatchObject({
    status: 'closed',
    total_score: 7712,
    grade: 'pass',
    stars: 3,
    self_score: 8850,
    manager_score: 7333,
  });
  expect(JSON.parse(row.weights_json)).toMatchObject({
    missing: ['peer', 'citizen', 'third_party'],
    used: [
      { source: 'self', usedWeight: 2500 },
      { source: 'manager', usedWeight: 7500 },
    ],
  });
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toMatchObject({
    score: 7712,
    grade: 'pass',
    stars: 3,
    passScore: 60,
    passed: true,
    partialRule: 'none',
    contractId: c.contractId,
    seq: 2,
  });
  const event = await ctx
    .db('audit_events')
    .where({ action: 'evaluation.close', subject_id: String(row.id) })
    .first();
  expect(JSON.parse(event.after_json)).toMatchObject({ total_score: 7712, passed: true });

  // The organization reads the result; nothing changes after closing.
  const page = await c.staff.get(c.reportPath());
  expect(page.text).toContain('77.12');
  expect(page.text).toContain('合格');
  expect(page.text).toContain('台账基本齐全');
  expect((await post(c.manager, c.scorePath, { ...scores('99'), comment: '改分' })).status).toBe(409);
  expect((await post(c.manager, `${c.reportPath()}/return`, { reason: '再改' })).status).toBe(409);
  expect((await post(c.manager, c.closePath)).status).toBe(409);
  expect(await evaluation(c.contractId)).toMatchObject({ manager_score: 7333, total_score: 7712 });
  expect((await ctx.db('milestone_reports').where({ contract_id: c.contractId })).map((r) => r.status)).toEqual([
    'submitted',
  ]);
});

it.each([
  [{ ...scores('101'), comment: '好' }, 'score'],
  [{ ...scores('87.555'), comment: '好' }, 'score'],
  [{ ...scores(''), comment: '好' }, 'score'],
  [{ ...scores('80'), comment: '' }, 'comment'],
])('refuses the manager score %p with 422, naming %s, writing nothing', async (fields, field) => {
  const c = await submitted();
  const res = await post(c.manager, c.scorePath, fields);
  expect(res.status).toBe(422);
  expect(res.text).toContain(`error-${field}`);
  expect((await evaluation(c.contractId)).manager_score).toBeNull();
});

it("only the street office's managers score and close: the organization, auditors and other streets are refused", async () => {
  const c = await submitted();
  expect((await post(c.staff, c.scorePath, { ...scores('100'), comment: '自己打分' })).status).toBe(403);
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
  expect((await post(auditor, c.closePath)).status).toBe(403);
  expect((await auditor.get(c.reportPath())).status).toBe(200);
  const otherManager = (await loginAs(ctx, 'manager')).agent;
  expect((await post(otherManager, c.scorePath, { ...scores('10'), comment: '别的街道' })).status).toBe(404);
  expect((await post(otherManager, c.closePath)).status).toBe(404);
  expect(await evaluation(c.contractId)).toMatchObject({ status: 'open', manager_score: null });
});

it('a report returned during the evaluation is scored again only once resubmitted; the evaluation follows the new version', async () => {
  const c = await submitted();
  expect((await post(c.manager, c.scorePath, { ...scores('70'), comment: '初评' })).status).toBe(303);
  expect((await post(c.manager, `${c.reportPath()}/return`, { reason: '缺签到表' })).status).toBe(303);
  expect((await post(c.manager, c.closePath)).status).toBe(409);
  expect(
    (await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport({ selfScore: '90' }) })).status,
  ).toBe(303);
  const v2 = await ctx.db('milestone_reports').where({ contract_id: c.contractId, version: 2 }).first();
  expect(await evaluation(c.contractId)).toMatchObject({ status: 'open', report_id: v2.id, manager_score: 7000 });
  expect(await ctx.db('milestone_evaluations').where({ contract_id: c.contractId })).toHaveLength(1);
  expect((await post(c.manager, c.closePath)).status).toBe(303);
  // (9000·10 + 7000·30) / 40 = 7500
  expect(await evaluation(c.contractId)).toMatchObject({ total_score: 7500, self_score: 9000, stars: 3 });
});

it('an advance is not evaluated: its report opens no evaluation', async () => {
  const c = await activeContract(ctx);
  expect(
    (
      await postReport(c.staff, c.reportPath(1), { intent: 'submit', ...completeReport() }, [
        { name: 'a.png', content: PNG },
      ])
    ).status,
  ).toBe(303);
  expect(await ctx.db('milestone_evaluations').where({ contract_id: c.contractId })).toHaveLength(0);
  expect((await c.manager.get(c.reportPath(1))).text).toContain('本期为首期款（预付款），不评估。');
});

it(`closes once when two closings race (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const c = await submitted();
  expect((await post(c.manager, c.scorePath, { ...scores('95'), comment: '优秀' })).status).toBe(303);
  const actor = { userId: null, label: 'race', role: 'manager', ip: null, requestId: null };
  const results = await Promise.allSettled(
    [0, 1].map(() => closeEvaluation(ctx, actor, managerUser(c.call), c.contractId, 2)),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(InvalidState);
  const row = await evaluation(c.contractId);
  // (8850·10 + 9500·30) / 40 = 9337.5 -> 9338: 优秀, five stars
  expect(row).toMatchObject({ status: 'closed', total_score: 9338, grade: 'excellent', stars: 5 });
  expect(await ctx.db('audit_events').where({ action: 'evaluation.close', subject_id: String(row.id) })).toHaveLength(
    1,
  );
  expect(await ctx.db('notifications').where({ kind: 'evaluation.closed', subject_id: String(row.id) })).toHaveLength(
    await ctx
      .db('users')
      .where({ organization_id: c.call.bids[0].organizationId, role: 'org_staff' })
      .count({ n: '*' })
      .first()
      .then((r) => Number(r!.n)),
  );
});

it("a terminated contract's evaluation stays as it was: no score, return, assignment or closing; the report is still readable", async () => {
  const c = await submitted();
  const { terminateContract } = await import('../../src/modules/contracts/service/ending');
  await terminateContract(
    ctx,
    { userId: null, label: 'test', role: 'manager', ip: null, requestId: null },
    managerUser(c.call),
    c.contractId,
    '服务机构无法继续履约',
  );
  expect((await post(c.manager, c.scorePath, { ...scores('80'), comment: '终止后' })).status).toBe(409);
  expect((await post(c.manager, c.closePath)).status).toBe(409);
  expect((await post(c.manager, `${c.reportPath()}/return`, { reason: '终止后' })).status).toBe(409);
  expect(
    (
      await post(c.manager, `/contracts/${c.contractId}/milestones/2/evaluation/assessors`, {
        source: 'peer',
        target: String(c.call.bids[1].organizationId),
      })
    ).status,
  ).toBe(409);
  expect(await evaluation(c.contractId)).toMatchObject({ status: 'open', manager_score: null });
  const page = await c.staff.get(c.reportPath());
  expect(page.status).toBe(200);
  expect(page.text).not.toContain('evaluation/manager-score');
});
