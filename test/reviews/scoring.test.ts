import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { sheetForm, submittedBid } from './factory';
import { count, reviewerAgent, scenario, type Scenario, refOf } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const base = (callId: number) => `/reviews/calls/${callId}`;

/** Bids opened, reviewers r1 and r2 on the panel. */
async function panel(): Promise<
  Scenario & { r1: { agent: Agent; user: { id: number } }; r2: { agent: Agent; user: { id: number } } }
> {
  const s = await scenario(ctx);
  await postForm(s.manager.agent, `${base(s.f.callId)}/opening`, {});
  const r1 = await reviewerAgent(ctx);
  const r2 = await reviewerAgent(ctx);
  for (const r of [r1, r2])
    expect(
      (await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(r.user.id) })).status,
    ).toBe(303);
  return { ...s, r1, r2 };
}

const declare = async (agent: Agent, s: Scenario, bidId: number, fields: Record<string, string | string[]>) =>
  postForm(agent, `${base(s.f.callId)}/bids/${await refOf(ctx, bidId)}/declaration`, fields);
const score = async (agent: Agent, s: Scenario, bidId: number, fields: Record<string, string | string[]>) =>
  postForm(agent, `${base(s.f.callId)}/bids/${await refOf(ctx, bidId)}/scores`, fields);

describe('declarations of interest', () => {
  it('a reviewer declares no conflict, then sees the bid and the sheet (audited)', async () => {
    const s = await panel();
    const before = await s.r1.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`);
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('服务方案正文');
    expect(before.text).not.toContain('¥40,000.00');
    const res = await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    expect(res.status).toBe(303);
    expect(
      await count(ctx, 'audit_events', { action: 'review.no_conflict_declared', subject_id: await refOf(ctx, s.bidA) }),
    ).toBe(1);
    const after = await s.r1.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`);
    expect(after.text).toContain('服务方案正文');
    expect(after.text).toContain('¥40,000.00');
    expect(after.text).toContain(`name="score_${s.f.criteria[0].id}"`);
  });

  it('declares a conflict with a note: excluded from that bid; it is final', async () => {
    const s = await panel();
    expect((await declare(s.r1.agent, s, s.bidA, { decision: 'conflict', note: '曾在该机构任职' })).status).toBe(303);
    const row = await ctx.db('conflict_declarations').where({ reviewer_id: s.r1.user.id, bid_id: s.bidA }).first();
    expect(!!row.has_conflict).toBe(true);
    expect(row.note).toBe('曾在该机构任职');
    const again = await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('不能撤回');
    expect(
      !!(await ctx.db('conflict_declarations').where({ reviewer_id: s.r1.user.id, bid_id: s.bidA }).first())
        .has_conflict,
    ).toBe(true);
    const page = await s.r1.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`);
    expect(page.text).not.toContain('服务方案正文');
  });

  it('a late conflict after "no conflict" excludes the reviewer and discards their scores', async () => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    expect((await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [80, 70]))).status).toBe(303);
    expect((await declare(s.r1.agent, s, s.bidA, { decision: 'conflict', note: '发现亲属关系' })).status).toBe(303);
    expect(await count(ctx, 'review_scores', { reviewer_id: s.r1.user.id })).toBe(0);
    expect((await declare(s.r1.agent, s, s.bidA, { decision: 'none' })).status).toBe(409);
  });

  it.each([
    ['no choice', {}],
    ['a conflict without a note', { decision: 'conflict', note: '  ' }],
    ['an unknown choice', { decision: 'maybe' }],
    ['a list', { decision: ['none', 'conflict'] }],
    ['a note that is a list', { decision: 'conflict', note: ['a', 'b'] }],
  ])('refuses %s with 422, the form re-shown, nothing written', async (_label, fields) => {
    const s = await panel();
    const res = await declare(s.r1.agent, s, s.bidA, fields as Record<string, string | string[]>);
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(await count(ctx, 'conflict_declarations', { reviewer_id: s.r1.user.id })).toBe(0);
  });

  it('refuses an affiliated reviewer (409), a reviewer not on the panel (403), a bid of another call or a draft (404)', async () => {
    const s = await panel();
    const affiliated = await reviewerAgent(ctx, { organization_id: s.orgA });
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(affiliated.user.id) });
    expect((await declare(affiliated.agent, s, s.bidA, { decision: 'none' })).status).toBe(409);
    const outsider = await reviewerAgent(ctx);
    expect((await declare(outsider.agent, s, s.bidA, { decision: 'none' })).status).toBe(403);
    expect((await outsider.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`)).status).toBe(403);
    const elsewhere = await scenario(ctx);
    expect((await declare(s.r1.agent, s, elsewhere.bidA, { decision: 'none' })).status).toBe(404);
    const draft = await ctx.db('bids').where({ call_id: s.f.callId, status: 'draft' }).first('id');
    expect((await declare(s.r1.agent, s, Number(draft.id), { decision: 'none' })).status).toBe(404);
    expect((await s.r1.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, draft.id)}`)).status).toBe(404);
    expect(await count(ctx, 'conflict_declarations', { reviewer_id: outsider.user.id })).toBe(0);
    expect(await count(ctx, 'conflict_declarations', { reviewer_id: s.r1.user.id })).toBe(0);
  });
});

describe('scoring', () => {
  it('a cleared reviewer scores every criterion with comments and revises until closing (audited)', async () => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    const res = await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [80, 70]));
    expect(res.status).toBe(303);
    const rows = await ctx
      .db('review_scores')
      .where({ reviewer_id: s.r1.user.id, bid_id: s.bidA })
      .orderBy('criterion_id')
      .select('score', 'comment');
    expect(rows.map((r) => Number(r.score))).toEqual([80, 70]);
    expect(rows[0].comment).toBe('理由充分');
    expect(
      await count(ctx, 'audit_events', { action: 'review.sheet_scored', subject_id: await refOf(ctx, s.bidA) }),
    ).toBe(1);
    expect((await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [90, 100], '修改后'))).status).toBe(303);
    const revised = await ctx
      .db('review_scores')
      .where({ reviewer_id: s.r1.user.id, bid_id: s.bidA })
      .orderBy('criterion_id')
      .select('score');
    expect(revised.map((r) => Number(r.score))).toEqual([90, 100]);
    expect(
      await count(ctx, 'audit_events', { action: 'review.sheet_revised', subject_id: await refOf(ctx, s.bidA) }),
    ).toBe(1);
    // 90 × 60 + 100 × 40 = 9400 -> 94.00 shown to the reviewer.
    expect((await s.r1.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`)).text).toContain('94.00');
  });

  it('a reviewer who declared a conflict cannot score (403), nothing written', async () => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'conflict', note: '亲属' });
    const res = await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [80, 70]));
    expect(res.status).toBe(403);
    expect(await count(ctx, 'review_scores', { reviewer_id: s.r1.user.id })).toBe(0);
  });

  it('a reviewer affiliated with the bidding organization cannot score it (403), nothing written', async () => {
    const s = await panel();
    const affiliated = await reviewerAgent(ctx, { organization_id: s.orgA });
    await postForm(s.manager.agent, `${base(s.f.callId)}/reviewers`, { reviewerId: String(affiliated.user.id) });
    const res = await score(affiliated.agent, s, s.bidA, sheetForm(s.f, [100, 100]));
    expect(res.status).toBe(403);
    const page = await affiliated.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`);
    expect(page.text).not.toContain('服务方案正文');
    expect(page.text).toContain('回避');
    // ... and the other bid is theirs to declare and score.
    expect((await declare(affiliated.agent, s, s.bidB, { decision: 'none' })).status).toBe(303);
    expect((await score(affiliated.agent, s, s.bidB, sheetForm(s.f, [60, 60]))).status).toBe(303);
    expect(await count(ctx, 'review_scores', { reviewer_id: affiliated.user.id, bid_id: s.bidA })).toBe(0);
  });

  it('scoring before declaring is refused with 409', async () => {
    const s = await panel();
    expect((await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [80, 70]))).status).toBe(409);
    expect(await count(ctx, 'review_scores', { reviewer_id: s.r1.user.id })).toBe(0);
  });

  it.each([
    ['above 100', [101, 50]],
    ['below 0', [-1, 50]],
    ['not an integer', ['85.5', 50]],
    ['in exponent notation', ['1e2', 50]],
    ['not a number', ['八十', 50]],
    ['empty', ['', 50]],
  ])('refuses a score %s with 422, the form re-shown with what was typed, nothing written', async (_label, scores) => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    const res = await score(s.r1.agent, s, s.bidA, sheetForm(s.f, scores as (number | string)[]));
    expect(res.status).toBe(422);
    expect(res.text).toContain('error-summary');
    expect(res.text).toContain(`href="#field-score_${s.f.criteria[0].id}"`);
    expect(res.text).toContain(`value="${String(scores[1])}"`);
    expect(await count(ctx, 'review_scores', { reviewer_id: s.r1.user.id })).toBe(0);
  });

  it('refuses arrays and a missing comment with 422, nothing written', async () => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    const fields: Record<string, string | string[]> = sheetForm(s.f, [80, 70]);
    fields[`score_${s.f.criteria[0].id}`] = ['80', '90'];
    expect((await score(s.r1.agent, s, s.bidA, fields)).status).toBe(422);
    const noComment = sheetForm(s.f, [80, 70]);
    noComment[`comment_${s.f.criteria[1].id}`] = '';
    const res = await score(s.r1.agent, s, s.bidA, noComment);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`href="#field-comment_${s.f.criteria[1].id}"`);
    expect(await count(ctx, 'review_scores', { reviewer_id: s.r1.user.id })).toBe(0);
  });

  it('names in the error summary the field of each message (criterion and score or comment), linked to it', async () => {
    const s = await panel();
    await declare(s.r1.agent, s, s.bidA, { decision: 'none' });
    const fields = sheetForm(s.f, [101, 70]);
    fields[`comment_${s.f.criteria[1].id}`] = '';
    const res = await score(s.r1.agent, s, s.bidA, fields);
    expect(res.status).toBe(422);
    const names = await ctx.db('call_criteria').whereIn('id', [s.f.criteria[0].id, s.f.criteria[1].id]).orderBy('id');
    const [first, second] = names as { id: number; name: string }[];
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? '';
    expect(summary).toContain(
      `<a href="#field-score_${first.id}" data-error-field><span class="error-field">${first.name} 得分</span>：请填写 0 到 100 之间的整数`,
    );
    expect(summary).toContain(
      `<a href="#field-comment_${second.id}" data-error-field><span class="error-field">${second.name} 评语（必填）</span>：此项为必填项`,
    );
  });

  it('revising after scoring is closed is refused with 409, nothing changed', async () => {
    const s = await panel();
    for (const b of [s.bidA, s.bidB]) {
      await declare(s.r1.agent, s, b, { decision: 'none' });
      await score(s.r1.agent, s, b, sheetForm(s.f, [80, 70]));
    }
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(303);
    const res = await score(s.r1.agent, s, s.bidA, sheetForm(s.f, [100, 100]));
    expect(res.status).toBe(409);
    expect(res.text).toContain('评分已结束');
    const rows = await ctx.db('review_scores').where({ reviewer_id: s.r1.user.id, bid_id: s.bidA }).select('score');
    expect(rows.map((r) => Number(r.score)).sort()).toEqual([70, 80]);
    expect((await declare(s.r2.agent, s, s.bidA, { decision: 'none' })).status).toBe(409);
  });

  it('is refused to a reviewer not on the panel (403) and to other roles (403)', async () => {
    const s = await panel();
    const outsider = await reviewerAgent(ctx);
    expect((await score(outsider.agent, s, s.bidA, sheetForm(s.f, [80, 70]))).status).toBe(403);
    expect((await outsider.agent.get(base(s.f.callId))).status).toBe(403);
    for (const role of ['manager', 'org_staff', 'auditor', 'admin', 'approver'] as const) {
      const { agent } = await loginAs(ctx, role);
      expect((await score(agent, s, s.bidA, sheetForm(s.f, [80, 70]))).status).toBe(403);
      expect((await agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`)).status).toBe(403);
    }
    expect((await score(s.manager.agent, s, s.bidA, sheetForm(s.f, [80, 70]))).status).toBe(403);
    expect(await count(ctx, 'review_scores', { bid_id: s.bidA })).toBe(0);
  });
});

describe('secrecy between reviewers before closing', () => {
  it("a reviewer never sees another reviewer's scores, comments or progress before closing; the ranking after", async () => {
    const s = await panel();
    for (const b of [s.bidA, s.bidB]) {
      await declare(s.r1.agent, s, b, { decision: 'none' });
      await score(s.r1.agent, s, b, sheetForm(s.f, [97, 93], '第一位专家的秘密评语'));
    }
    await declare(s.r2.agent, s, s.bidA, { decision: 'none' });
    const pages = [
      await s.r2.agent.get(base(s.f.callId)),
      await s.r2.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidA)}`),
      await s.r2.agent.get(`${base(s.f.callId)}/bids/${await refOf(ctx, s.bidB)}`),
      await s.r2.agent.get('/dashboard'),
      await s.r2.agent.get('/reviews'),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('第一位专家的秘密评语');
      expect(page.text).not.toContain('95.40');
      expect(page.text).not.toContain('value="97"');
      expect(page.text).not.toMatch(/评分表已完成|Sheet complete/);
    }
    const ranking = await s.r2.agent.get(`${base(s.f.callId)}/ranking`);
    expect(ranking.status).toBe(403);
    expect(ranking.text).not.toContain('95.40');

    await score(s.r2.agent, s, s.bidA, sheetForm(s.f, [50, 50], '第二位'));
    expect((await postForm(s.manager.agent, `${base(s.f.callId)}/scoring-closure`, {})).status).toBe(303);
    const after = await s.r2.agent.get(`${base(s.f.callId)}/ranking`);
    expect(after.status).toBe(200);
    expect(after.text).toContain('第一位专家的秘密评语');
    // r1: 97 × 60 + 93 × 40 = 9540; r2: 5000; mean of bid A 72.70; bid B 95.40 alone.
    expect(after.text).toContain('95.40');
    expect(after.text).toContain('72.70');
  });
});

describe('a bid submitted by an organization a reviewer belongs to (made after assignment)', () => {
  it('is still barred by affiliation even without a recorded declaration', async () => {
    const s = await panel();
    const org = await ctx.make.organization();
    const late = await submittedBid(ctx, s.f.callId, { organizationId: org.id });
    await ctx.db('users').where({ id: s.r1.user.id }).update({ organization_id: org.id });
    expect((await declare(s.r1.agent, s, late.id, { decision: 'none' })).status).toBe(409);
    expect((await score(s.r1.agent, s, late.id, sheetForm(s.f, [80, 70]))).status).toBe(403);
  });
});
