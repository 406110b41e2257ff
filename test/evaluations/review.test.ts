import { createHash } from 'crypto';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, signIn } from '../helpers/http';
import { closedEvaluation, publicEvaluationResults } from '../../src/modules/evaluations';
import { postForm as post, scores, submittedMidterm } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const reviews = (contractId: number) =>
  ctx
    .db('evaluation_reviews as r')
    .join('milestone_evaluations as e', 'e.id', 'r.evaluation_id')
    .where('e.contract_id', contractId)
    .select('r.*');
const evaluation = (contractId: number) =>
  ctx.db('milestone_evaluations').where({ contract_id: contractId, milestone_seq: 2 }).first();

/** A mid-term milestone closed on self 88.5 and manager 73.33: 77.12. */
async function closed() {
  const c = await submittedMidterm(ctx);
  expect((await post(c.manager, c.scorePath, { ...scores('73.33'), comment: '台账基本齐全' })).status).toBe(303);
  expect((await post(c.manager, c.closePath)).status).toBe(303);
  return { ...c, reviewPath: `${c.ev}/review`, answerPath: `${c.ev}/review/answer` };
}

it('the organization asks for a review; the payment step sees it open; an upheld review reopens, a new closing stores a new report and keeps the old', async () => {
  const c = await closed();
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toMatchObject({ score: 7712, reviewOpen: false });
  expect(await publicEvaluationResults(ctx.db, c.contractId)).toEqual([
    {
      milestoneSeq: 2,
      milestoneId: c.milestoneId,
      score: 7712,
      grade: 'pass',
      stars: 3,
      citizenRatings: 0,
      closedAt: expect.any(String),
    },
  ]);
  const page = await c.staff.get(c.reportPath());
  expect(page.text).toContain('evaluation/review');

  // Reasons are required: 422, the form again, nothing written.
  const empty = await post(c.staff, c.reviewPath, { reasons: '  ' });
  expect(empty.status).toBe(422);
  expect(empty.text).toContain('error-reasons');
  expect(await reviews(c.contractId)).toHaveLength(0);

  expect((await post(c.staff, c.reviewPath, { reasons: '第三方未到现场核查' })).status).toBe(303);
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toMatchObject({ score: 7712, reviewOpen: true });
  // One open review at a time; the audit trail and the managers hear of it.
  expect((await post(c.staff, c.reviewPath, { reasons: '再次申请' })).status).toBe(409);
  expect(await reviews(c.contractId)).toHaveLength(1);
  expect(
    await ctx
      .db('audit_events')
      .where({ action: 'evaluation.review_request', subject_id: String((await evaluation(c.contractId)).id) }),
  ).toHaveLength(1);
  expect(await ctx.db('notifications').where({ kind: 'evaluation.review_requested' })).not.toHaveLength(0);
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
  expect((await auditor.get(c.reportPath())).text).toContain('第三方未到现场核查');

  // The answer needs a decision and words.
  const bad = await post(c.manager, c.answerPath, { decision: 'maybe', answer: '' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('error-decision');
  expect(bad.text).toContain('error-answer');
  expect((await post(c.manager, c.answerPath, { decision: 'upheld', answer: '同意复核，重新评分' })).status).toBe(303);
  expect(await evaluation(c.contractId)).toMatchObject({
    status: 'open',
    total_score: null,
    closed_at: null,
    manager_score: 7333,
  });
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toBeUndefined();
  expect(await publicEvaluationResults(ctx.db, c.contractId)).toEqual([]);
  expect((await c.staff.get(c.reportPath())).text).toContain('复核已支持，评估重新开启');
  const [firstReport] = await ctx
    .db('evaluation_reports')
    .where({ evaluation_id: (await evaluation(c.contractId)).id });

  ctx.clock.advance(60 * 1000);
  // Scores editable again; closing again makes a new result and a new stored report, the old one kept.
  expect((await post(c.manager, c.scorePath, { ...scores('80'), comment: '复核后' })).status).toBe(303);
  expect((await post(c.manager, c.closePath)).status).toBe(303);
  // (8850·10 + 8000·30) / 40 = 8212.5 -> 8213
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toMatchObject({
    score: 8213,
    grade: 'good',
    reviewOpen: false,
  });
  const reports = await ctx
    .db('evaluation_reports')
    .where({ evaluation_id: (await evaluation(c.contractId)).id })
    .orderBy('id');
  expect(reports).toHaveLength(2);
  expect(reports[0]).toMatchObject({ id: firstReport.id, sha256: firstReport.sha256 });
  expect((await closedEvaluation(ctx.db, c.milestoneId))!.reportSha256).toBe(reports[1].sha256);
  const earlier = await c.staff.get(`${c.ev}/report.pdf?report=${firstReport.id}`).buffer(true);
  expect(earlier.status).toBe(200);
  expect(createHash('sha256').update(earlier.body).digest('hex')).toBe(firstReport.sha256);

  // A new closing may be reviewed again; rejected is final.
  expect((await post(c.staff, c.reviewPath, { reasons: '仍有异议' })).status).toBe(303);
  expect((await post(c.manager, c.answerPath, { decision: 'rejected', answer: '维持评估结果' })).status).toBe(303);
  expect(await closedEvaluation(ctx.db, c.milestoneId)).toMatchObject({ score: 8213, reviewOpen: false });
  const final = await post(c.staff, c.reviewPath, { reasons: '第三次' });
  expect(final.status).toBe(409);
  expect(final.text).toContain('驳回的复核为最终结论');
  expect((await post(c.manager, c.answerPath, { decision: 'upheld', answer: '再改' })).status).toBe(409);
  expect(
    await ctx
      .db('audit_events')
      .where({ action: 'evaluation.review_answer', subject_id: String((await evaluation(c.contractId)).id) }),
  ).toHaveLength(2);
  expect((await evaluation(c.contractId)).status).toBe('closed');
});

it('the review period comes from the call (default 5 days): after it, a request is refused', async () => {
  const c = await closed();
  const call = await ctx.db('calls').where({ id: c.call.callId }).first('review_days');
  expect(Number(call.review_days)).toBe(5);
  // Closed five days and a minute ago.
  const closedAt = new Date(ctx.clock.now().getTime() - 5 * 24 * 3600 * 1000 - 60 * 1000).toISOString();
  await ctx
    .db('milestone_evaluations')
    .where({ contract_id: c.contractId, milestone_seq: 2 })
    .update({ closed_at: closedAt });
  const late = await post(c.staff, c.reviewPath, { reasons: '迟到的申请' });
  expect(late.status).toBe(409);
  expect(late.text).toContain('复核申请期限已过');
  expect(await reviews(c.contractId)).toHaveLength(0);
});

it('refuses: the manager asking, the organization answering, an auditor either, another organization; a review of an open evaluation', async () => {
  const c = await submittedMidterm(ctx);
  const reviewPath = `${c.ev}/review`;
  expect((await post(c.staff, reviewPath, { reasons: '尚未结束' })).status).toBe(409);
  expect((await post(c.manager, c.scorePath, { ...scores('70'), comment: '好' })).status).toBe(303);
  expect((await post(c.manager, c.closePath)).status).toBe(303);
  expect((await post(c.manager, reviewPath, { reasons: '街道' })).status).toBe(403);
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
  expect((await post(auditor, reviewPath, { reasons: '审计' })).status).toBe(403);
  const other = await signIn(ctx, c.call.bids[1].staff.username);
  expect((await post(other, reviewPath, { reasons: '别的机构' })).status).toBe(404);
  expect(await reviews(c.contractId)).toHaveLength(0);
  expect((await post(c.staff, reviewPath, { reasons: '有异议' })).status).toBe(303);
  expect((await post(c.staff, `${reviewPath}/answer`, { decision: 'upheld', answer: '自己支持' })).status).toBe(403);
  expect((await post(auditor, `${reviewPath}/answer`, { decision: 'upheld', answer: '审计' })).status).toBe(403);
  expect(
    (
      await post((await loginAs(ctx, 'manager')).agent, `${reviewPath}/answer`, {
        decision: 'upheld',
        answer: '别的街道',
      })
    ).status,
  ).toBe(404);
  expect((await reviews(c.contractId))[0].status).toBe('open');
});
