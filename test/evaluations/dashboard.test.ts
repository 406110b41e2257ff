import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { evaluationDashboard } from '../../src/modules/evaluations';
import { activeContract, completeReport, PNG, postReport } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const overdueNotices = (contractId: number) =>
  ctx.db('notifications').where({ kind: 'milestone.overdue', subject_id: String(contractId) });

/** A signed contract whose mid-term milestone (seq 2) was due yesterday (Beijing). */
async function overdueContract() {
  const c = await activeContract(ctx);
  const yesterday = new Date(ctx.clock.now().getTime() + 8 * 3600_000 - 24 * 3600_000).toISOString().slice(0, 10);
  await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).update({ due_date: yesterday });
  const number = (await ctx.db('contracts').where({ id: c.contractId }).first()).number as string;
  return { ...c, number, yesterday };
}

it('shows an overdue milestone on both sides, notifies both once however often the pages are read, and not to others', async () => {
  const c = await overdueContract();
  const managerPage = await c.manager.get('/dashboard');
  expect(managerPage.status).toBe(200);
  expect(managerPage.text).toContain(`${c.number} · `);
  expect(managerPage.text).toContain(`${c.yesterday} 到期`);
  const staffPage = await c.staff.get('/dashboard');
  expect(staffPage.text).toContain(`/contracts/${c.contractId}/milestones/2/report`);
  await c.manager.get('/dashboard');
  const notices = await overdueNotices(c.contractId);
  const managers = await ctx
    .db('users')
    .where({ street_office_id: c.call.streetOfficeId, role: 'manager' })
    .pluck('id');
  const staff = await ctx
    .db('users')
    .where({ organization_id: c.call.bids[0].organizationId, role: 'org_staff' })
    .pluck('id');
  expect(notices.map((n) => Number(n.user_id)).sort()).toEqual([...managers, ...staff].map(Number).sort());
  expect(
    await ctx.db('audit_events').where({ action: 'milestone.overdue', subject_id: String(c.contractId) }),
  ).toHaveLength(1);
  // The other bidder's staff and another street's manager see nothing of it.
  const otherStaff = (await loginAs(ctx, 'org_staff', { organization_id: c.call.bids[1].organizationId })).agent;
  expect((await otherStaff.get('/dashboard')).text).not.toContain(`/contracts/${c.contractId}/milestones/2/report`);
  const otherManager = (await loginAs(ctx, 'manager')).agent;
  expect((await otherManager.get('/dashboard')).text).not.toContain(`/contracts/${c.contractId}/milestones/2/report`);
  // The advance (due at the start) is never listed: it has no report to wait for.
  expect(managerPage.text).not.toContain(`/contracts/${c.contractId}/milestones/1/report`);
});

it(`sends the notice once when many dashboards are read at the same moment (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const c = await overdueContract();
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => evaluationDashboard(ctx, c.staffUser)));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect(await ctx.db('milestone_overdue_notices').where({ contract_id: c.contractId })).toHaveLength(1);
  expect(
    await ctx.db('audit_events').where({ action: 'milestone.overdue', subject_id: String(c.contractId) }),
  ).toHaveLength(1);
  const perUser = await overdueNotices(c.contractId);
  expect(new Set(perUser.map((n) => n.user_id)).size).toBe(perUser.length);
});

it("a submitted report takes the milestone off the overdue list and puts it on both sides' waiting lists", async () => {
  const c = await overdueContract();
  await c.manager.get('/dashboard');
  expect(
    (
      await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() }, [
        { name: 'a.png', content: PNG },
      ])
    ).status,
  ).toBe(303);
  const d = await evaluationDashboard(ctx, c.staffUser);
  expect(d!.overdue.filter((m) => m.contract_id === c.contractId)).toEqual([]);
  expect(d!.waiting.filter((m) => m.contract_id === c.contractId)).toMatchObject([{ seq: 2 }]);
  const page = await c.manager.get('/dashboard');
  expect(page.text).toContain('等待评估的报告');
  expect(page.text).toMatch(new RegExp(`/contracts/${c.contractId}/milestones/2/report">${c.number}`));
  // And in the manager's work queue, as the thing to do.
  expect(page.text).toMatch(
    new RegExp(`<a href="/contracts/${c.contractId}/milestones/2/report"><strong>评估里程碑报告</strong>`),
  );
  // Returned: overdue again, but the notice for that due date was already sent.
  const returned = await c.manager
    .post(`${c.reportPath()}/return`)
    .type('form')
    .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1], reason: '请补充签到表' });
  expect(returned.status).toBe(303);
  const again = await evaluationDashboard(ctx, c.staffUser);
  expect(again!.overdue.filter((m) => m.contract_id === c.contractId)).toHaveLength(1);
  expect(await ctx.db('milestone_overdue_notices').where({ contract_id: c.contractId })).toHaveLength(1);
});
