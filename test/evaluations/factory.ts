import type { TestContext } from '../helpers/app';
import { signIn, csrfFrom, type Agent } from '../helpers/http';
import { signedContract, staffUser } from '../contracts/factory';

export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('test image body')]);

/** A signed contract (an advance and two evaluated milestones) with signed-in agents of both sides. */
export async function activeContract(ctx: TestContext) {
  const c = await signedContract(ctx);
  const staff = await signIn(ctx, c.call.bids[0].staff.username);
  const manager = await signIn(ctx, c.call.manager.username);
  return { ...c, staff, manager, staffUser: staffUser(c.call), reportPath: (seq = 2) => `/contracts/${c.contractId}/milestones/${seq}/report` };
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
export async function postReport(agent: Agent, path: string, fields: Record<string, string>, files: { name: string; content: Buffer }[] = []) {
  const token = await csrfFrom(agent, '/dashboard');
  let req = agent.post(path).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.content, f.name);
  return req;
}
