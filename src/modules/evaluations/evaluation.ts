import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../contracts';
import { notify, staffOf } from '../notifications';
import { renderAssessmentPdf } from './assessment-pdf';
import { assessorScores, assessorsOf } from './assessors';
import { storeFile, withFileCleanup } from '../../files/storage';
import { canReadReports, canReturnReport } from './policy';
import { evidenceOf, openReport } from './queries';
import { citizenSource, endRoundOnClosing } from './ratings';
import { indicatorScoresOf, writeIndicatorScores, type IndicatorScore } from './indicators';
import { paymentConsequence, weightedScore } from './weighting';
import { evaluationOf, isEvaluated, weightsOf, type EvaluationRow } from './results';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

type ClosingDeps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

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
