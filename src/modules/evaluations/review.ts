import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../contracts';
import { managersOf, notify, staffOf } from '../notifications';
import { evaluationOf, latestAssessmentReport, type EvaluationRow } from './results';
import { canReadReports, canReturnReport, canWriteReport } from './policy';

type Deps = Pick<AppDeps, 'db' | 'clock'>;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReviewRow {
  id: number;
  evaluation_id: number;
  assessment_report_id: number;
  closed_at: string;
  result_json: string;
  status: 'open' | 'upheld' | 'rejected';
  reasons: string;
  requested_by: number;
  requested_at: string;
  answer: string | null;
  answered_by: number | null;
  answered_at: string | null;
  requester_name?: string | null;
  answerer_name?: string | null;
}

const numeric = (r: ReviewRow): ReviewRow => ({
  ...r,
  id: Number(r.id),
  evaluation_id: Number(r.evaluation_id),
  requested_by: Number(r.requested_by),
  answered_by: r.answered_by === null ? null : Number(r.answered_by),
});

/** Every review of an evaluation, oldest first, with the names of who asked and who answered. */
export async function reviewsOf(db: Queryable, evaluationId: number): Promise<ReviewRow[]> {
  const rows = await db('evaluation_reviews as r')
    .leftJoin('users as q', 'q.id', 'r.requested_by')
    .leftJoin('users as a', 'a.id', 'r.answered_by')
    .where('r.evaluation_id', evaluationId)
    .orderBy('r.id')
    .select('r.*', 'q.display_name as requester_name', 'a.display_name as answerer_name');
  return rows.map(numeric);
}

export async function hasOpenReview(db: Queryable, evaluationId: number): Promise<boolean> {
  return !!(await db('evaluation_reviews').where({ evaluation_id: evaluationId, status: 'open' }).first('id'));
}

/** The call's review period in days (a call setting, default 5). */
export async function reviewDaysOf(db: Queryable, contractId: number): Promise<number> {
  const r = await db('contracts as c')
    .join('calls as k', 'k.id', 'c.call_id')
    .where('c.id', contractId)
    .first('k.review_days');
  return Number(r?.review_days ?? 5);
}

/** The last moment a review may be asked of this closing. */
export const reviewDeadline = (closedAt: string, days: number) =>
  new Date(new Date(closedAt).getTime() + days * DAY_MS);

/** Whether the organization may ask now: closed, within the period, no review yet of this closing, the milestone unpaid. */
export async function reviewAvailability(
  db: Queryable,
  m: ContractMilestone,
  e: EvaluationRow | undefined,
  now: Date,
): Promise<{ ok: true; deadline: Date; reportId: number } | { ok: false; reason: string }> {
  if (!e || e.status !== 'closed') return { ok: false, reason: 'evaluations.errors.reviewNotClosed' };
  if (m.contract_status !== 'active') return { ok: false, reason: 'evaluations.errors.contractNotActive' };
  if (m.settlement) return { ok: false, reason: 'evaluations.errors.reviewSettled' };
  const report = await latestAssessmentReport(db, e.id);
  const asked = report && (await db('evaluation_reviews').where({ assessment_report_id: report.id }).first('id'));
  if (asked) return { ok: false, reason: 'evaluations.errors.reviewAsked' };
  const deadline = reviewDeadline(e.closed_at!, await reviewDaysOf(db, m.contract_id));
  if (now.getTime() > deadline.getTime()) return { ok: false, reason: 'evaluations.errors.reviewPeriodOver' };
  if (!report) return { ok: false, reason: 'evaluations.errors.reviewNotClosed' };
  return { ok: true, deadline, reportId: report.id };
}

const link = (m: ContractMilestone) => `/contracts/${m.contract_id}/milestones/${m.seq}/report`;
const resultOf = (e: EvaluationRow) => ({
  total_score: e.total_score,
  grade: e.grade,
  stars: e.stars,
  pass_score: e.pass_score,
  passed: e.passed,
  weights: e.weights_json ? JSON.parse(e.weights_json) : null,
  closed_at: e.closed_at,
});

/** The organization's staff ask for a review (复核) of the closed result, with reasons. The managers are told. */
export async function requestReview(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  reasons: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await lockContractMilestone(trx, contractId, seq);
    if (!m || !canReadReports(user, m)) throw new NotFound();
    if (!canWriteReport(user, m)) throw new Forbidden('evaluations.errors.reviewNotYours');
    const e = await evaluationOf(trx, contractId, seq);
    const can = await reviewAvailability(trx, m, e, now);
    if (!can.ok) throw new InvalidState(can.reason);
    const [row] = await trx('evaluation_reviews')
      .insert({
        evaluation_id: e!.id,
        assessment_report_id: can.reportId,
        closed_at: e!.closed_at,
        result_json: JSON.stringify(resultOf(e!)),
        status: 'open',
        reasons,
        requested_by: user.id,
        requested_at: now.toISOString(),
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    await notify(
      trx,
      await managersOf(trx, m.street_office_id),
      {
        kind: 'evaluation.review_requested',
        messageKey: 'evaluations.notifications.reviewRequested',
        params: { number: m.contract_number, milestone: m.title },
        link: link(m),
        subjectType: 'evaluation_review',
        subjectId: id,
      },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'evaluation.review_request',
        subjectType: 'milestone_evaluation',
        subjectId: e!.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        after: { review_id: id, reasons, closed_at: e!.closed_at, total_score: e!.total_score },
      },
    };
  });
}

/**
 * The manager's written answer. Upheld reopens the evaluation (the result is cleared from the row,
 * kept in the review and the audit trail, the stored assessment reports kept; scores editable
 * again, closing again makes a new result and report). Rejected is final for this closing.
 */
export async function answerReview(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  decision: 'upheld' | 'rejected',
  answer: string,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await lockContractMilestone(trx, contractId, seq);
    if (!m || !canReadReports(user, m)) throw new NotFound();
    if (!canReturnReport(user, m)) throw new Forbidden('evaluations.errors.notYourStreet');
    const e = await evaluationOf(trx, contractId, seq);
    const open = e
      ? await trx('evaluation_reviews').where({ evaluation_id: e.id, status: 'open' }).first('id')
      : undefined;
    if (!e || !open) throw new InvalidState('evaluations.errors.noOpenReview');
    if (decision === 'upheld' && m.contract_status !== 'active')
      throw new InvalidState('evaluations.errors.contractNotActive');
    const n = await trx('evaluation_reviews')
      .where({ id: open.id, status: 'open' })
      .update({ status: decision, answer, answered_by: user.id, answered_at: at });
    if (n !== 1) throw new InvalidState('evaluations.errors.noOpenReview');
    if (decision === 'upheld') {
      const r = await trx('milestone_evaluations').where({ id: e.id, status: 'closed' }).update({
        status: 'open',
        total_score: null,
        grade: null,
        stars: null,
        pass_score: null,
        passed: null,
        weights_json: null,
        closed_by: null,
        closed_at: null,
      });
      if (r !== 1) throw new InvalidState('evaluations.errors.noOpenReview');
    }
    const notified = [
      ...new Set([...(await staffOf(trx, [m.organization_id])), ...(await managersOf(trx, m.street_office_id))]),
    ].filter((id) => id !== user.id);
    await notify(
      trx,
      notified,
      {
        kind: 'evaluation.review_answered',
        messageKey: `evaluations.notifications.review_${decision}`,
        params: { number: m.contract_number, milestone: m.title },
        link: link(m),
        subjectType: 'evaluation_review',
        subjectId: Number(open.id),
      },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'evaluation.review_answer',
        subjectType: 'milestone_evaluation',
        subjectId: e.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        before: { review_status: 'open', status: 'closed', ...resultOf(e) },
        after: {
          review_id: Number(open.id),
          review_status: decision,
          answer,
          status: decision === 'upheld' ? 'open' : 'closed',
        },
      },
    };
  });
}
