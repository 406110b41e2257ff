import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { contractMilestoneById, lockContractMilestone, type ContractMilestone } from '../contracts';
import { notify, staffOf } from '../notifications';
import { renderAssessmentPdf } from './assessment-pdf';
import { assessorScores, assessorsOf } from './assessors';
import { storeFile, withFileCleanup } from '../../files/storage';
import { canReadReports, canReturnReport } from './policy';
import { evidenceOf, openReport } from './queries';
import { citizenSource, endRoundOnClosing } from './ratings';
import { indicatorScoresOf, writeIndicatorScores, type IndicatorScore } from './indicators';
import { paymentConsequence, weightedScore, type Grade, type PaymentConsequence, type Source } from './weighting';

type Deps = Pick<AppDeps, 'db' | 'clock'>;
type ClosingDeps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export interface EvaluationRow {
  id: number;
  contract_id: number;
  milestone_seq: number;
  street_office_id: number;
  organization_id: number;
  report_id: number;
  status: 'open' | 'closed';
  opened_at: string;
  manager_score: number | null;
  manager_comment: string | null;
  manager_scored_by: number | null;
  manager_scored_at: string | null;
  self_score: number | null;
  total_score: number | null;
  grade: Grade | null;
  stars: number | null;
  pass_score: number | null;
  passed: boolean | number | null;
  weights_json: string | null;
  closed_by: number | null;
  closed_at: string | null;
}

/** A milestone is evaluated when it has a pass score (the advance has none and is not evaluated). */
export const isEvaluated = (m: Pick<ContractMilestone, 'advance' | 'pass_score'>) =>
  !m.advance && m.pass_score !== null;

export const weightsOf = (m: ContractMilestone): Record<Source, number> => ({
  self: m.weight_self,
  manager: m.weight_manager,
  peer: m.weight_peer,
  citizen: m.weight_citizen,
  third_party: m.weight_third_party,
});

const numeric = (r: EvaluationRow): EvaluationRow => {
  const out = { ...r } as Record<string, unknown>;
  for (const k of ['id', 'contract_id', 'milestone_seq', 'street_office_id', 'organization_id', 'report_id'])
    out[k] = Number(out[k]);
  for (const k of ['manager_score', 'self_score', 'total_score', 'stars', 'pass_score'])
    out[k] = out[k] === null ? null : Number(out[k]);
  out.passed = r.passed === null ? null : r.passed === true || r.passed === 1;
  return out as unknown as EvaluationRow;
};

export async function evaluationOf(db: Queryable, contractId: number, seq: number): Promise<EvaluationRow | undefined> {
  const r = await db<EvaluationRow>('milestone_evaluations')
    .where({ contract_id: contractId, milestone_seq: seq })
    .first();
  return r ? numeric(r) : undefined;
}

/** Called in the submitting transaction: the first submitted report opens the evaluation; a
 *  resubmission (after a return) points the open evaluation at the new version. */
export async function openEvaluation(
  trx: Knex.Transaction,
  m: ContractMilestone,
  reportId: number,
  now: Date,
): Promise<void> {
  if (!isEvaluated(m)) return;
  const existing = await evaluationOf(trx, m.contract_id, m.seq);
  if (!existing) {
    await trx('milestone_evaluations').insert({
      contract_id: m.contract_id,
      milestone_seq: m.seq,
      street_office_id: m.street_office_id,
      organization_id: m.organization_id,
      report_id: reportId,
      status: 'open',
      opened_at: now.toISOString(),
    });
  } else if (existing.status === 'open') {
    await trx('milestone_evaluations').where({ id: existing.id, status: 'open' }).update({ report_id: reportId });
  } else {
    throw new InvalidState('evaluations.errors.evaluationClosed');
  }
}

/** The manager's checks on the record, inside the transaction: the milestone's street office, an
 *  open evaluation of a report that is currently submitted (not returned). */
async function openForManager(trx: Knex.Transaction, user: SessionUser, contractId: number, seq: number) {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m || !canReadReports(user, m)) throw new NotFound();
  if (!canReturnReport(user, m)) throw new Forbidden('evaluations.errors.notYourStreet');
  if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
  const evaluation = await evaluationOf(trx, contractId, seq);
  if (!evaluation) throw new InvalidState('evaluations.errors.noEvaluation');
  if (evaluation.status !== 'open') throw new InvalidState('evaluations.errors.evaluationClosed');
  const report = await openReport(trx, contractId, seq);
  if (!report || report.status !== 'submitted') throw new InvalidState('evaluations.errors.reportNotSubmitted');
  return { m, evaluation, report };
}

/** The street office's score (hundredths) with its comment; may be changed until the evaluation
 *  closes. With the call's indicators, `score` is their weighted mean (combineIndicators). */
export async function scoreAsManager(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  score: number,
  comment: string,
  indicators: IndicatorScore[] = [],
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const { m, evaluation } = await openForManager(trx, user, contractId, seq);
    if (indicators.length) await writeIndicatorScores(trx, evaluation.id, 'manager', indicators);
    const n = await trx('milestone_evaluations').where({ id: evaluation.id, status: 'open' }).update({
      manager_score: score,
      manager_comment: comment,
      manager_scored_by: user.id,
      manager_scored_at: now.toISOString(),
    });
    if (n !== 1) throw new InvalidState('evaluations.errors.evaluationClosed');
    return {
      result: undefined,
      audit: {
        action: 'evaluation.manager_score',
        subjectType: 'milestone_evaluation',
        subjectId: evaluation.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        before: { score: evaluation.manager_score },
        after: {
          score,
          comment,
          ...(indicators.length
            ? { indicators: indicators.map((i) => ({ name: i.name, weight: i.weight, score: i.score })) }
            : {}),
        },
      },
    };
  });
}

/**
 * Closing fixes the result: the weighted score from the sources that scored (the self score of the
 * evaluated report, the manager's; missing sources' weights renormalized over them), the grade,
 * stars and pass against the milestone's pass score. The manager's score is required first: the
 * organization's own score alone never closes an evaluation. Two closings at once close it once.
 */
export async function closeEvaluation(
  deps: ClosingDeps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
): Promise<EvaluationRow> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const { m, evaluation, report } = await openForManager(trx, user, contractId, seq);
      if (evaluation.manager_score === null) throw new InvalidState('evaluations.errors.managerScoreFirst');
      // The citizen round stops taking ratings now; below the call's minimum it does not count.
      await endRoundOnClosing(trx, contractId, seq, user.id, now);
      const citizen = await citizenSource(trx, contractId, seq);
      const result = weightedScore(
        {
          self: report.self_score,
          manager: evaluation.manager_score,
          citizen: citizen.score,
          ...(await assessorScores(trx, evaluation.id)),
        },
        weightsOf(m),
      );
      if (!result) throw new InvalidState('evaluations.errors.nothingToClose');
      const passScore = m.pass_score!;
      const passed = result.total >= passScore * 100;
      const weights = {
        used: result.used,
        missing: result.missing,
        contract: weightsOf(m),
        citizenRatings: citizen.count,
        citizenMinRatings: citizen.min,
      };
      const n = await trx('milestone_evaluations')
        .where({ id: evaluation.id, status: 'open' })
        .update({
          status: 'closed',
          report_id: report.id,
          self_score: report.self_score,
          total_score: result.total,
          grade: result.grade,
          stars: result.stars,
          pass_score: passScore,
          passed,
          weights_json: JSON.stringify(weights),
          closed_by: user.id,
          closed_at: at,
        });
      if (n !== 1) throw new InvalidState('evaluations.errors.evaluationClosed');
      // The assessment report, rendered once here and stored; the download serves these bytes.
      const assessors = await assessorsOf(trx, evaluation.id);
      const comment = (source: 'peer' | 'third_party') =>
        assessors.find((a) => a.source === source && a.has_conflict === false)?.comment ?? null;
      const consequence = paymentConsequence(m.amount_fen, result.total, passScore, m.partial_rule, m.floor_score);
      const organization = await trx('organizations').where({ id: m.organization_id }).first('name');
      const pdf = await renderAssessmentPdf({
        m,
        organizationName: organization?.name ?? '',
        report,
        evidence: await evidenceOf(trx, [report.id]),
        result,
        comments: {
          self: report.self_comment,
          manager: evaluation.manager_comment,
          peer: comment('peer'),
          third_party: comment('third_party'),
          citizen: citizen.count
            ? `${citizen.count} 份评价（至少 ${citizen.min} 份才计入）${citizen.score === null ? '，不足，不计入' : ''}`
            : '未开展群众评价',
        },
        consequence,
        closedAt: at,
        indicators: await indicatorScoresOf(trx, evaluation.id),
      });
      const stored = await storeFile(
        trx,
        deps.config.uploadDir,
        pdfUpload(`评估报告-${m.contract_number}-${m.seq}.pdf`, pdf),
        'pdf',
        user.id,
        now,
      );
      written.push(stored.storage_key);
      await trx('evaluation_reports').insert({
        evaluation_id: evaluation.id,
        file_id: stored.id,
        sha256: stored.sha256,
        created_at: at,
      });
      await notify(
        trx,
        await staffOf(trx, [m.organization_id]),
        {
          kind: 'evaluation.closed',
          messageKey: 'evaluations.notifications.closed',
          params: { number: m.contract_number, milestone: m.title },
          link: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          subjectType: 'milestone_evaluation',
          subjectId: evaluation.id,
        },
        now,
      );
      return {
        result: (await evaluationOf(trx, contractId, seq))!,
        audit: {
          action: 'evaluation.close',
          subjectType: 'milestone_evaluation',
          subjectId: evaluation.id,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          before: { status: 'open' },
          after: {
            status: 'closed',
            report_version: report.version,
            total_score: result.total,
            grade: result.grade,
            stars: result.stars,
            pass_score: passScore,
            passed,
            consequence,
            ...weights,
            assessment_pdf_sha256: stored.sha256,
          },
        },
      };
    }),
  );
}

const pdfUpload = (name: string, bytes: Buffer) =>
  ({
    fieldname: 'pdf',
    originalname: name,
    mimetype: 'application/pdf',
    size: bytes.length,
    buffer: bytes,
  }) as Express.Multer.File;

/** What the payment step needs of a closed evaluation, by the milestone's row id; undefined while
 *  the milestone has no closed evaluation. */
export interface ClosedEvaluation {
  milestoneId: number;
  contractId: number;
  seq: number;
  /** Hundredths (8712 is 87.12). */
  score: number;
  grade: Grade;
  stars: number;
  passScore: number;
  passed: boolean;
  partialRule: 'none' | 'pro_rata';
  floorScore: number | null;
  weights: { used: { source: Source; score: number; weight: number; usedWeight: number }[]; missing: Source[] };
  /** The contract's payment rule on this score: the whole share, a partial amount, or nothing. */
  consequence: PaymentConsequence;
  /** SHA-256 of the stored assessment report PDF (of this closing; earlier ones are kept too). */
  reportSha256: string | null;
  closedAt: string;
  /** A review (复核) was asked and not yet answered: no payment may be proposed. */
  reviewOpen: boolean;
}

export async function closedEvaluation(db: Queryable, milestoneId: number): Promise<ClosedEvaluation | undefined> {
  const m = await contractMilestoneById(db, milestoneId);
  if (!m) return undefined;
  const e = await evaluationOf(db, m.contract_id, m.seq);
  if (!e || e.status !== 'closed') return undefined;
  const weights = JSON.parse(e.weights_json!) as ClosedEvaluation['weights'];
  return {
    milestoneId,
    contractId: m.contract_id,
    seq: m.seq,
    score: e.total_score!,
    grade: e.grade!,
    stars: e.stars!,
    passScore: e.pass_score!,
    passed: e.passed === true,
    partialRule: m.partial_rule,
    floorScore: m.floor_score,
    weights: { used: weights.used, missing: weights.missing },
    consequence: paymentConsequence(m.amount_fen, e.total_score!, e.pass_score!, m.partial_rule, m.floor_score),
    reportSha256: (await latestAssessmentReport(db, e.id))?.sha256 ?? null,
    closedAt: e.closed_at!,
    reviewOpen: !!(await db('evaluation_reviews').where({ evaluation_id: e.id, status: 'open' }).first('id')),
  };
}

/** The assessment report in force: the newest (a reopened evaluation closes again with a new one). */
export const latestAssessmentReport = (
  db: Queryable,
  evaluationId: number,
): Promise<{ id: number; sha256: string; file_id: number; created_at: string } | undefined> =>
  db('evaluation_reports')
    .where({ evaluation_id: evaluationId })
    .orderBy('id', 'desc')
    .first('id', 'sha256', 'file_id', 'created_at');

/** What the public may see of a contract's closed evaluations, per milestone: no comments, no names. */
export interface PublicEvaluationResult {
  milestoneSeq: number;
  milestoneId: number;
  /** Hundredths. */
  score: number;
  grade: Grade;
  stars: number;
  /** Ratings of the citizen round that counted on closing (0 when the source was missing). */
  citizenRatings: number;
  closedAt: string;
}

export async function publicEvaluationResults(db: Queryable, contractId: number): Promise<PublicEvaluationResult[]> {
  const rows = await db('milestone_evaluations as e')
    .join('contract_milestones as m', function () {
      this.on('m.contract_id', '=', 'e.contract_id').andOn('m.seq', '=', 'e.milestone_seq');
    })
    .where({ 'e.contract_id': contractId, 'e.status': 'closed' })
    .orderBy('e.milestone_seq')
    .select(
      'e.milestone_seq',
      'm.id as milestone_id',
      'e.total_score',
      'e.grade',
      'e.stars',
      'e.weights_json',
      'e.closed_at',
    );
  return rows.map((r) => {
    const weights = JSON.parse(r.weights_json) as { citizenRatings?: number };
    return {
      milestoneSeq: Number(r.milestone_seq),
      milestoneId: Number(r.milestone_id),
      score: Number(r.total_score),
      grade: r.grade,
      stars: Number(r.stars),
      citizenRatings: Number(weights.citizenRatings ?? 0),
      closedAt: r.closed_at,
    };
  });
}
