import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
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
const assessors = (contractId: number) =>
  ctx
    .db('evaluation_assessors as a')
    .join('milestone_evaluations as e', 'e.id', 'a.evaluation_id')
    .where('e.contract_id', contractId)
    .orderBy('a.source')
    .select('a.*');

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
  const ev = `/contracts/${c.contractId}/milestones/2/evaluation`;
  const peerOrg = c.call.bids[1].organizationId;
  const peer = await signIn(ctx, c.call.bids[1].staff.username);
  return {
    ...c,
    peerOrg,
    peer,
    assign: `${ev}/assessors`,
    declare: `${ev}/declaration`,
    score: `${ev}/assessor-score`,
    scoreManager: `${ev}/manager-score`,
    close: `${ev}/closing`,
  };
}

it('peer and third party: assigned by the manager, declare, then score; the closing weighs four sources', async () => {
  const c = await submitted();
  // The contractor can never be its own peer: 422, nothing written.
  const self = await post(c.manager, c.assign, { source: 'peer', target: String(c.call.bids[0].organizationId) });
  expect(self.status).toBe(422);
  expect(self.text).toContain('互评方不能是本合同的乙方');
  expect(await assessors(c.contractId)).toHaveLength(0);

  // Before assignment the other organization sees nothing.
  expect((await c.peer.get(c.reportPath())).status).toBe(404);
  expect((await post(c.manager, c.assign, { source: 'peer', target: String(c.peerOrg) })).status).toBe(303);
  expect(
    (await post(c.manager, c.assign, { source: 'peer', target: String((await ctx.make.organization()).id) })).status,
  ).toBe(409);
  expect((await c.peer.get(c.reportPath())).status).toBe(200);
  expect((await c.peer.get('/dashboard')).text).toContain(`/contracts/${c.contractId}/milestones/2/report`);
  expect((await post(c.peer, c.score, { ...scores('80'), comment: '不错' })).status).toBe(409); // declare first
  expect((await post(c.peer, c.declare, { declaration: 'none' })).status).toBe(303);
  expect((await post(c.peer, c.score, { ...scores('101'), comment: '超范围' })).status).toBe(422);
  expect((await post(c.peer, c.score, { ...scores('80'), comment: '活动扎实' })).status).toBe(303);

  // Third party: a reviewer not assigned is told nothing exists; the first assigned declares a conflict and is replaced.
  const { agent: first, user: firstUser } = await loginAs(ctx, 'reviewer');
  const { agent: second, user: secondUser } = await loginAs(ctx, 'reviewer');
  expect((await second.get(c.reportPath())).status).toBe(404);
  expect((await post(c.manager, c.assign, { source: 'third_party', target: String(firstUser.id) })).status).toBe(303);
  expect((await post(second, c.declare, { declaration: 'none' })).status).toBe(404);
  expect((await post(first, c.declare, { declaration: 'conflict' })).status).toBe(303);
  expect((await post(first, c.declare, { declaration: 'none' })).status).toBe(409); // final
  expect((await post(first, c.score, { ...scores('99'), comment: '冲突' })).status).toBe(403);
  expect((await post(c.manager, c.assign, { source: 'third_party', target: String(secondUser.id) })).status).toBe(303);
  expect((await first.get(c.reportPath())).status).toBe(404);
  expect((await post(second, c.declare, { declaration: 'none' })).status).toBe(303);
  expect((await second.get('/dashboard')).text).toContain(`/contracts/${c.contractId}/milestones/2/report`);
  expect((await first.get('/dashboard')).text).not.toContain(`/contracts/${c.contractId}/milestones/2/report`);
  expect((await post(second, c.score, { ...scores('90'), comment: '第三方意见' })).status).toBe(303);
  expect((await second.get('/dashboard')).text).not.toContain(`/contracts/${c.contractId}/milestones/2/report`); // scored: nothing left to do

  // The organization sees the sources and comments, not who the peer and third party are.
  const orgPage = await c.staff.get(c.reportPath());
  expect(orgPage.text).toContain('第三方意见');
  expect(orgPage.text).not.toContain(secondUser.display_name as string);
  const peerName = (await ctx.db('organizations').where({ id: c.peerOrg }).first()).name;
  expect(orgPage.text).not.toContain(peerName);
  expect((await c.manager.get(c.reportPath())).text).toContain(peerName);

  expect((await post(c.manager, c.scoreManager, { ...scores('70'), comment: '街道意见' })).status).toBe(303);
  expect((await post(c.manager, c.close)).status).toBe(303);
  // (8850·10 + 7000·30 + 8000·20 + 9000·20) / 80 = 638500 / 80 = 7981.25 -> 79.81; citizens missing.
  const e = await ctx.db('milestone_evaluations').where({ contract_id: c.contractId }).first();
  expect(e).toMatchObject({ status: 'closed', total_score: 7981, grade: 'pass', stars: 3 });
  expect(JSON.parse(e.weights_json).missing).toEqual(['citizen']);
  // Closed: nobody scores any more; the assessors' access ended with the evaluation (404, as before assignment).
  expect((await post(second, c.score, { ...scores('10'), comment: '晚了' })).status).toBe(404);
});

it('ends the peer’s and the third party’s access to the report, its evidence and the assessment PDF when the evaluation closes', async () => {
  const c = await submitted();
  const { agent: third, user: thirdUser } = await loginAs(ctx, 'reviewer');
  expect((await post(c.manager, c.assign, { source: 'peer', target: String(c.peerOrg) })).status).toBe(303);
  expect((await post(c.manager, c.assign, { source: 'third_party', target: String(thirdUser.id) })).status).toBe(303);
  const page = await c.peer.get(c.reportPath());
  expect(page.status).toBe(200);
  const evidence = /href="([^"]*\/report\/files\/\d+)"/.exec(page.text)![1];
  for (const agent of [c.peer, third]) expect((await agent.get(evidence)).status).toBe(200);
  for (const agent of [c.peer, third]) expect((await post(agent, c.declare, { declaration: 'none' })).status).toBe(303);
  expect((await post(c.peer, c.score, { ...scores('80'), comment: '互评' })).status).toBe(303);
  expect((await post(c.manager, c.scoreManager, { ...scores('70'), comment: '街道意见' })).status).toBe(303);
  expect((await post(c.manager, c.close)).status).toBe(303);

  const pdf = `/contracts/${c.contractId}/milestones/2/evaluation/report.pdf`;
  for (const agent of [c.peer, third]) {
    expect((await agent.get(c.reportPath())).status).toBe(404);
    expect((await agent.get(evidence)).status).toBe(404);
    expect((await agent.get(pdf)).status).toBe(404);
    expect((await post(agent, c.declare, { declaration: 'conflict' })).status).toBe(404);
  }
  // The parties and oversight keep reading it.
  for (const agent of [c.staff, c.manager]) {
    expect((await agent.get(c.reportPath())).status).toBe(200);
    expect((await agent.get(evidence)).status).toBe(200);
    expect((await agent.get(pdf)).status).toBe(200);
  }
});

it('a third party from the contractor is refused; an auditor and an unassigned organization cannot declare or score', async () => {
  const c = await submitted();
  const { user: inHouse } = await loginAs(ctx, 'reviewer', { organization_id: c.call.bids[0].organizationId });
  const res = await post(c.manager, c.assign, { source: 'third_party', target: String(inHouse.id) });
  expect(res.status).toBe(422);
  expect(res.text).toContain('该评估人员属于本合同乙方');
  expect((await post(c.manager, c.assign, { source: 'third_party', target: '999999' })).status).toBe(422);
  expect((await post(c.staff, c.declare, { declaration: 'none' })).status).toBe(404); // the contractor is not an assessor
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
  expect((await post(auditor, c.score, { ...scores('50'), comment: 'x' })).status).toBe(403);
  expect(await assessors(c.contractId)).toHaveLength(0);
});
