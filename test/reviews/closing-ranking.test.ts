import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { rankBids } from '../../src/modules/reviews';
import * as service from '../../src/modules/reviews/service';
import { systemActor } from '../../src/audit/audit';
import type { SessionUser } from '../../src/modules/accounts/roles';
import { sheetForm } from './factory';
import { count, reviewerAgent, scenario, type Scenario, refOf } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const base = (callId: number) => `/reviews/calls/${callId}`;
type R = { agent: Agent; user: { id: number } };

async function panel(): Promise<Scenario & { r1: R; r2: R }> {
  const s = await scenario(ctx);
  await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
  const r1 = await reviewerAgent(ctx);
  const r2 = await reviewerAgent(ctx);
  for (const r of [r1, r2])
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(r.user.id) });
  return { ...s, r1, r2 };
}

async function scoreAs(s: Scenario, r: R, bidId: number, scores: number[]) {
  expect(
    (await postForm(r.agent, `${base(s.f.callId)}/bids/${await refOf(ctx, bidId)}/declaration`, { decision: 'none' }))
      .status,
  ).toBe(303);
  expect(
    (await postForm(r.agent, `${base(s.f.callId)}/bids/${await refOf(ctx, bidId)}/scores`, sheetForm(s.f, scores)))
      .status,
  ).toBe(303);
}

const closedAt = async (callId: number) =>
  (await ctx.db('calls').where({ id: callId }).first('scoring_closed_at')).scoring_closed_at;

describe('closing scoring', () => {
  it('is refused (409) while a bid has no complete sheet, naming it; nothing written', async () => {
    const s = await panel();
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    const page = await s.manager.agent.get(base(s.f.callId));
    expect(page.text).toContain('尚缺的评分表');
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {});
    expect(res.status).toBe(409);
    const orgB = await ctx.db('organizations').where({ id: s.orgB }).first('name');
    expect(res.text).toContain(orgB.name);
    expect(await closedAt(s.f.callId)).toBeNull();
    expect(await count(ctx, 'audit_events', { action: 'review.scoring_closed', subject_id: String(s.f.callId) })).toBe(
      0,
    );
  });

  it('closes once every bid has a complete sheet, even with other sheets missing (audited); twice is 409', async () => {
    const s = await panel();
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    await scoreAs(s, s.r2, s.bidB, [70, 70]);
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${base(s.f.callId)}/ranking`);
    expect(await closedAt(s.f.callId)).toBe('2026-11-25T02:00:00.000Z');
    expect(await count(ctx, 'audit_events', { action: 'review.scoring_closed', subject_id: String(s.f.callId) })).toBe(
      1,
    );
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(409);
  });

  it('leads on from the closed ranking to proposing the result, and the award desk links the waiting call to its ranking', async () => {
    const s = await panel();
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    await scoreAs(s, s.r2, s.bidB, [70, 70]);
    const provisional = await s.manager.agent.get(`${base(s.f.callId)}/ranking`);
    expect(provisional.text).not.toContain(`href="/calls/${s.f.callId}/award/new"`);
    await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {});
    const ranking = await s.manager.agent.get(`${base(s.f.callId)}/ranking`);
    expect(ranking.text).toMatch(
      new RegExp(`<a class="button primary" href="/calls/${s.f.callId}/award/new">拟定结果</a>`),
    );
    const desk = await s.manager.agent.get('/manage/awards');
    expect(desk.text).toContain(`href="${base(s.f.callId)}/ranking"`);
    expect(desk.text).toContain(`href="/calls/${s.f.callId}/award/new"`);
  });

  it("is refused to another street's manager and to every other role (403); before opening it is 409", async () => {
    const s = await panel();
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    await scoreAs(s, s.r1, s.bidB, [80, 80]);
    const other = await loginAs(ctx, 'manager');
    expect((await postForm(other.agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(403);
    for (const role of ['admin', 'auditor', 'approver', 'org_staff'] as const) {
      expect((await postForm((await loginAs(ctx, role)).agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(
        403,
      );
    }
    expect((await postForm(s.r1.agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(403);
    expect(await closedAt(s.f.callId)).toBeNull();
    const unopened = await scenario(ctx);
    expect((await postForm(unopened.manager.agent, `${base(unopened.f.callId)}/scoring-closure`, {})).status).toBe(409);
  });
});

describe('the ranking page', () => {
  async function ranked() {
    const s = await panel();
    // Both bids tie at 80.00: bid A is cheaper (¥40,000 against ¥50,000), so price decides.
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    await scoreAs(s, s.r1, s.bidB, [80, 80]);
    await scoreAs(s, s.r2, s.bidA, [90, 70]);
    await scoreAs(s, s.r2, s.bidB, [90, 70]);
    return s;
  }

  it('shows the manager a provisional ranking while scoring is open, with sheets, means and the tie rule', async () => {
    const s = await ranked();
    const page = await s.manager.agent.get(`${base(s.f.callId)}/ranking`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('暂定排名');
    // 90 × 60 + 70 × 40 = 8200 and 8000: mean 81.00 for both bids.
    expect(page.text).toContain('81.00');
    expect(page.text).toContain('82.00');
    expect(page.text).toContain('得分相同，报价更低');
    const orgA = await ctx.db('organizations').where({ id: s.orgA }).first('name');
    const orgB = await ctx.db('organizations').where({ id: s.orgB }).first('name');
    expect(page.text.indexOf(orgA.name)).toBeLessThan(page.text.indexOf(orgB.name));
  });

  it('is shown to the administrator and the street auditor; refused to other streets, staff, approvers and reviewers before closing', async () => {
    const s = await ranked();
    const url = `${base(s.f.callId)}/ranking`;
    expect((await (await loginAs(ctx, 'admin')).agent.get(url)).status).toBe(200);
    expect((await (await loginAs(ctx, 'auditor', { auditStreets: [s.f.streetOfficeId] })).agent.get(url)).status).toBe(
      200,
    );
    expect(
      (await (await loginAs(ctx, 'auditor', { auditStreets: [(await ctx.make.streetOffice()).id] })).agent.get(url))
        .status,
    ).toBe(403);
    expect((await (await loginAs(ctx, 'manager')).agent.get(url)).status).toBe(403);
    expect((await (await loginAs(ctx, 'org_staff', { organization_id: s.orgA })).agent.get(url)).status).toBe(403);
    expect(
      (await (await loginAs(ctx, 'approver', { street_office_id: s.f.streetOfficeId })).agent.get(url)).status,
    ).toBe(403);
    expect((await s.r1.agent.get(url)).status).toBe(403);
    expect((await (await reviewerAgent(ctx)).agent.get(url)).status).toBe(403);
    expect((await request(ctx.app).get(url)).status).toBe(303);
    await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {});
    const after = await s.r1.agent.get(url);
    expect(after.status).toBe(200);
    expect(after.text).toContain('排名已确定');
    expect((await (await reviewerAgent(ctx)).agent.get(url)).status).toBe(403);
  });

  it('before the bids are opened it is 409, and the auditor may read the review page but not write', async () => {
    const s = await scenario(ctx);
    expect((await s.manager.agent.get(`${base(s.f.callId)}/ranking`)).status).toBe(409);
    const auditor = await loginAs(ctx, 'auditor', { auditStreets: [s.f.streetOfficeId] });
    const page = await auditor.agent.get(base(s.f.callId));
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('/opening');
    expect((await postForm(auditor.agent, `${base(s.f.callId)}/opening`, {})).status).toBe(403);
  });
});

describe('races', () => {
  const asUser = (s: Scenario, id: number, role: 'manager' | 'reviewer'): SessionUser => ({
    id,
    username: 'u',
    displayName: 'u',
    role,
    streetOfficeId: role === 'manager' ? s.f.streetOfficeId : null,
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: role === 'manager' ? [s.f.streetOfficeId] : [],
  });

  it('two concurrent openings open the bids once', async () => {
    const s = await scenario(ctx);
    const manager = asUser(s, s.manager.user.id, 'manager');
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => service.openBids(ctx, systemActor, manager, s.f.callId)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await count(ctx, 'audit_events', { action: 'review.bids_opened', subject_id: String(s.f.callId) })).toBe(1);
    expect(await count(ctx, 'notifications', { kind: 'bids.opened', subject_id: String(s.f.callId) })).toBe(2);
  });

  it('a sheet saved while scoring closes either counts in the closed ranking or is refused', async () => {
    const s = await panel();
    await scoreAs(s, s.r1, s.bidA, [80, 80]);
    await scoreAs(s, s.r1, s.bidB, [80, 80]);
    await postForm(s.r2.agent, `${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}/declaration`, {
      decision: 'none',
    });
    const manager = asUser(s, s.manager.user.id, 'manager');
    const reviewer = asUser(s, s.r2.user.id, 'reviewer');
    const sheet = new Map(s.f.criteria.map((c) => [c.id, { score: 10, comment: '竞态' }]));
    await Promise.allSettled([
      service.saveSheet(ctx, systemActor, reviewer, s.f.callId, s.bidA, sheet),
      service.closeScoring(ctx, systemActor, manager, s.f.callId),
    ]);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'review.scoring_closed', subject_id: String(s.f.callId) })
      .first('after_json');
    expect(event).toBeDefined();
    const fixed = JSON.parse(event.after_json).ranking;
    const now = (await rankBids(ctx.db, s.f.callId)).map((r) => ({
      bid: r.bidRef,
      rank: r.rank,
      scoreHundredths: r.scoreHundredths,
      sheets: r.sheets,
      decidedBy: r.decidedBy,
    }));
    expect(now).toEqual(fixed);
  });
});
