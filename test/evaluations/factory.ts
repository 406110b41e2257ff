import type { TestContext } from '../helpers/app';
import { signIn, csrfFrom, type Agent } from '../helpers/http';
import { signedContract, staffUser } from '../contracts/factory';

export const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('test image body'),
]);

/** A signed contract (an advance and two evaluated milestones) with signed-in agents of both sides. */
export async function activeContract(ctx: TestContext) {
  const c = await signedContract(ctx);
  const staff = await signIn(ctx, c.call.bids[0].staff.username);
  const manager = await signIn(ctx, c.call.manager.username);
  return {
    ...c,
    staff,
    manager,
    staffUser: staffUser(c.call),
    reportPath: (seq = 2) => `/contracts/${c.contractId}/milestones/${seq}/report`,
  };
}

/** A complete report form (milestone deliverables answered in delivered_0..). */
export const completeReport = (over: Record<string, string> = {}) => ({
  delivered_0: '已完成入户探访 120 次',
  peopleServed: '86',
  sessionsHeld: '24',
  problems: '雨季有两次活动改期',
  selfScore: '88.5',
  selfComment: '按计划完成',
  ...over,
});

/** Posts the report form as multipart (with files), with the agent's CSRF token. */
export async function postReport(
  agent: Agent,
  path: string,
  fields: Record<string, string>,
  files: { name: string; content: Buffer }[] = [],
) {
  const token = await csrfFrom(agent, '/dashboard');
  let req = agent.post(path).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.content, f.name);
  return req;
}

/** Posts a urlencoded form with the agent's CSRF token. */
export const postForm = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });

/** A contract whose mid-term milestone (weights self 10, manager 30, peer/citizen/third party 20,
 *  pass score 60) has a submitted report (self score 88.5), with the evaluation's paths. */
export async function submittedMidterm(ctx: TestContext) {
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
  const res = await postReport(
    c.staff,
    c.reportPath(),
    { intent: 'submit', ...completeReport({ selfScore: '88.5' }) },
    [{ name: 'a.png', content: PNG }],
  );
  if (res.status !== 303) throw new Error(`report not submitted: ${res.status}`);
  const milestoneId = Number(
    (await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).first()).id,
  );
  const ev = `/contracts/${c.contractId}/milestones/2/evaluation`;
  return { ...c, milestoneId, ev, scorePath: `${ev}/manager-score`, closePath: `${ev}/closing` };
}

/** A score form's fields: the single `score` (the peer's) and the same score on every evaluation
 *  indicator (the manager's and third party's, one per call criterion), so the weighted mean is it. */
export const scores = (score: string): Record<string, string> => ({
  score,
  ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((p) => [`score_${p}`, score])),
});
