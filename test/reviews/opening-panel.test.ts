import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm } from '../helpers/http';
import { reviewCall, submittedBid } from './factory';
import { audits, count, reviewerAgent, scenario, refOf } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const base = (callId: number) => `/reviews/calls/${callId}`;

describe('opening the bids', () => {
  it('the street manager opens them after the deadline: under review, audited, bidders notified, bids listed', async () => {
    const s = await scenario(ctx);
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(base(s.f.callId));
    const call = await ctx.db('calls').where({ id: s.f.callId }).first();
    expect(call.status).toBe('under_review');
    expect(call.bids_opened_at).toBe('2026-11-25T02:00:00.000Z');
    expect(Number(call.bids_opened_by)).toBe(s.manager.user.id);
    expect(await count(ctx, 'audit_events', { action: 'review.bids_opened', subject_id: String(s.f.callId) })).toBe(1);
    const notified = (
      await ctx
        .db('notifications')
        .where({ kind: 'bids.opened', subject_id: String(s.f.callId) })
        .select('user_id')
    )
      .map((r) => Number(r.user_id))
      .sort();
    expect(notified).toEqual([s.staffA, s.staffB].sort());
    const page = await s.manager.agent.get(base(s.f.callId));
    expect(page.status).toBe(200);
    expect(page.text).toContain('¥40,000.00');
    expect(page.text).toContain('¥50,000.00');
  });

  it('before the deadline, even by one second, is refused with 409 and nothing is written', async () => {
    const s = await scenario(ctx, { closesAt: '2026-11-25T02:00:01.000Z' });
    const before = await count(ctx, 'audit_events');
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
    expect(res.status).toBe(409);
    expect(res.text).toContain('密封');
    expect((await ctx.db('calls').where({ id: s.f.callId }).first()).status).toBe('published');
    expect(await count(ctx, 'audit_events')).toBe(before);
    expect(await count(ctx, 'notifications', { subject_id: String(s.f.callId) })).toBe(0);
    // At the closing time itself it opens.
    ctx.clock.set('2026-11-25T02:00:01.000Z');
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {})).status).toBe(303);
  });

  it('shows nothing of the bids before the deadline, not even how many', async () => {
    const s = await scenario(ctx, { closesAt: '2026-11-26T02:00:00.000Z' });
    const page = await s.manager.agent.get(base(s.f.callId));
    expect(page.status).toBe(200);
    expect(page.text).toContain('密封');
    expect(page.text).not.toContain('¥40,000.00');
    expect(page.text).not.toContain('测试社会组织');
    expect(page.text).not.toContain('/opening');
  });

  it('links back to the list of reviews and to the call, also while the call is still open for bids', async () => {
    const s = await scenario(ctx, { closesAt: '2026-11-26T02:00:00.000Z' });
    const page = await s.manager.agent.get(base(s.f.callId));
    expect(page.text).toContain('<a href="/reviews">返回评审列表</a>');
    expect(page.text).toContain(`<a href="/calls/${s.f.callId}">查看项目公告</a>`);
  });

  it('twice is refused with 409', async () => {
    const s = await scenario(ctx);
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {})).status).toBe(303);
    const again = await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
    expect(again.status).toBe(409);
    expect(again.text).toContain('已经开标');
    expect(await audits(ctx, 'review.bids_opened')).toBeGreaterThan(0);
  });

  it('a cancelled call cannot be opened (409), an unknown call is 404', async () => {
    const s = await scenario(ctx);
    await ctx.db('calls').where({ id: s.f.callId }).update({ status: 'cancelled' });
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {})).status).toBe(409);
    expect((await postForm(s.manager.agent, `${base(999999)}/opening`, {})).status).toBe(404);
  });

  it.each(['approver', 'auditor', 'admin', 'reviewer', 'org_staff'] as const)(
    'is refused to %s (403), nothing written',
    async (role) => {
      const s = await scenario(ctx);
      const { agent } = await loginAs(ctx, role, role === 'approver' ? { street_office_id: s.f.streetOfficeId } : {});
      const res = await postForm(agent, `${base(s.f.callId)}/opening`, {});
      expect(res.status).toBe(403);
      expect((await ctx.db('calls').where({ id: s.f.callId }).first()).status).toBe('published');
    },
  );

  it("is refused to another street's manager (403) and to anonymous visitors (401)", async () => {
    const s = await scenario(ctx);
    const other = await loginAs(ctx, 'manager');
    expect((await postForm(other.agent, `${base(s.f.callId)}/opening`, {})).status).toBe(403);
    expect((await other.agent.get(base(s.f.callId))).status).toBe(403);
    const anon = request.agent(ctx.app);
    const token = await csrfFrom(anon, '/login');
    expect(
      (
        await anon
          .post(`${base(s.f.callId)}/opening`)
          .type('form')
          .send({ _csrf: token })
      ).status,
    ).toBe(401);
    expect((await anon.get(base(s.f.callId))).status).toBe(303);
    expect((await ctx.db('calls').where({ id: s.f.callId }).first()).status).toBe('published');
  });
});

describe('the review panel', () => {
  async function opened() {
    const s = await scenario(ctx);
    await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
    return s;
  }

  it('the manager assigns a reviewer from the list: on the panel, audited, the reviewer notified', async () => {
    const s = await opened();
    const reviewer = await ctx.make.user('reviewer');
    const form = await s.manager.agent.get(base(s.f.callId));
    expect(form.text).toContain(`value="${reviewer.id}"`);
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) });
    expect(res.status).toBe(303);
    expect(await count(ctx, 'call_reviewers', { call_id: s.f.callId, reviewer_id: reviewer.id })).toBe(1);
    expect(
      await count(ctx, 'audit_events', { action: 'review.reviewer_assigned', subject_id: String(s.f.callId) }),
    ).toBe(1);
    expect(await count(ctx, 'notifications', { user_id: reviewer.id, kind: 'review.assigned' })).toBe(1);
  });

  it('bars a reviewer affiliated with a bidding organization from that bid, and the page says so', async () => {
    const s = await opened();
    const reviewer = await ctx.make.user('reviewer', { organization_id: s.orgA });
    expect(
      (await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) })).status,
    ).toBe(303);
    const decl = await ctx
      .db('conflict_declarations')
      .where({ reviewer_id: reviewer.id })
      .select('bid_id', 'has_conflict', 'automatic');
    expect(decl.map((d) => [Number(d.bid_id), !!d.has_conflict, !!d.automatic])).toEqual([[s.bidA, true, true]]);
    const page = await s.manager.agent.get(base(s.f.callId));
    expect(page.text).toContain('自动回避');
    expect(page.text).toContain('回避（隶属关系）');
  });

  it.each([
    ['empty', ''],
    ['not a reviewer', 'manager'],
    ['unknown', '999999'],
    ['a list', ['1', '2']],
  ])('refuses a choice that is %s with 422, the form re-shown, nothing written', async (_label, value) => {
    const s = await opened();
    const reviewerId = value === 'manager' ? String(s.manager.user.id) : value;
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId } as Record<
      string,
      string | string[]
    >);
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain('field-reviewerId');
    expect(await count(ctx, 'call_reviewers', { call_id: s.f.callId })).toBe(0);
  });

  it('refuses a reviewer already on the panel with 422', async () => {
    const s = await opened();
    const reviewer = await ctx.make.user('reviewer');
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) });
    const again = await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) });
    expect(again.status).toBe(422);
    expect(again.text).toContain('已在专家组中');
  });

  it('removes a reviewer while scoring is open, discarding their scores (audited)', async () => {
    const s = await opened();
    const r = await reviewerAgent(ctx);
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(r.user.id) });
    await postForm(r.agent, `${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}/declaration`, { decision: 'none' });
    const fields = Object.fromEntries(
      s.f.criteria.flatMap((c) => [
        [`score_${c.id}`, '80'],
        [`comment_${c.id}`, '好'],
      ]),
    );
    expect(
      (await postForm(r.agent, `${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}/scores`, fields)).status,
    ).toBe(303);
    const res = await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers/${r.user.id}/removal`, {});
    expect(res.status).toBe(303);
    expect(await count(ctx, 'call_reviewers', { call_id: s.f.callId })).toBe(0);
    expect(await count(ctx, 'review_scores', { reviewer_id: r.user.id })).toBe(0);
    const event = await ctx
      .db('audit_events')
      .where({ action: 'review.reviewer_removed' })
      .orderBy('id', 'desc')
      .first();
    expect(JSON.parse(event.before_json).scores).toHaveLength(2);
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers/${r.user.id}/removal`, {})).status).toBe(
      404,
    );
  });

  it('refuses panel changes before the bids are opened or after scoring is closed (409)', async () => {
    const s = await scenario(ctx);
    const reviewer = await ctx.make.user('reviewer');
    expect(
      (await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) })).status,
    ).toBe(409);
    await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) });
    await ctx.db('calls').where({ id: s.f.callId }).update({ scoring_closed_at: '2026-11-25T03:00:00.000Z' });
    const other = await ctx.make.user('reviewer');
    expect(
      (await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(other.id) })).status,
    ).toBe(409);
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers/${reviewer.id}/removal`, {})).status).toBe(
      409,
    );
    expect(await count(ctx, 'call_reviewers', { call_id: s.f.callId })).toBe(1);
  });

  it("refuses another street's manager (403) and reviewers (403)", async () => {
    const s = await opened();
    const reviewer = await ctx.make.user('reviewer');
    const other = await loginAs(ctx, 'manager');
    expect(
      (await postForm(other.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(reviewer.id) })).status,
    ).toBe(403);
    const r = await reviewerAgent(ctx);
    expect((await postForm(r.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(r.user.id) })).status).toBe(
      403,
    );
    expect(await count(ctx, 'call_reviewers', { call_id: s.f.callId })).toBe(0);
  });
});

describe('the list of reviews', () => {
  it("shows a manager their street's closed calls only, a reviewer their assigned calls, an auditor their streets", async () => {
    const mine = await reviewCall(ctx, { title: '本街道已截止项目' });
    const open = await reviewCall(ctx, {
      streetOfficeId: mine.streetOfficeId,
      title: '本街道未截止项目',
      closesAt: '2026-12-01T00:00:00.000Z',
    });
    const theirs = await reviewCall(ctx, { title: '其他街道项目' });
    void open;
    const manager = await loginAs(ctx, 'manager', { street_office_id: mine.streetOfficeId });
    const page = await manager.agent.get('/reviews');
    expect(page.status).toBe(200);
    expect(page.text).toContain('本街道已截止项目');
    expect(page.text).not.toContain('本街道未截止项目');
    expect(page.text).not.toContain('其他街道项目');

    const r = await reviewerAgent(ctx);
    await submittedBid(ctx, theirs.callId);
    await ctx
      .db('calls')
      .where({ id: theirs.callId })
      .update({ status: 'under_review', bids_opened_at: '2026-11-25T01:00:00.000Z' });
    await ctx
      .db('call_reviewers')
      .insert({ call_id: theirs.callId, reviewer_id: r.user.id, assigned_at: '2026-11-25T01:00:00.000Z' });
    const rl = await r.agent.get('/reviews');
    expect(rl.text).toContain('其他街道项目');
    expect(rl.text).not.toContain('本街道已截止项目');
    const dashboard = await r.agent.get('/dashboard');
    expect(dashboard.text).toContain('其他街道项目');

    const auditor = await loginAs(ctx, 'auditor', { auditStreets: [mine.streetOfficeId] });
    const al = await auditor.agent.get('/reviews');
    expect(al.text).toContain('本街道已截止项目');
    expect(al.text).not.toContain('其他街道项目');
  });

  it('is refused to organization staff and approvers (403), anonymous visitors are sent to sign in', async () => {
    expect((await (await loginAs(ctx, 'org_staff')).agent.get('/reviews')).status).toBe(403);
    expect((await (await loginAs(ctx, 'approver')).agent.get('/reviews')).status).toBe(403);
    expect((await request(ctx.app).get('/reviews')).status).toBe(303);
  });
});
