import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { sendStoredFile } from '../../files/storage';
import { uploadedFiles } from '../../files/uploads';
import { actorOf } from '../../web/actor';
import { NotFound, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { submitForm } from '../../web/submit';
import { formValues, type FormValues } from '../../web/forms';
import { forbiddenFieldsOf, FIELD_KEY } from '../../web/text-guard';
import { contractMilestone, type ContractMilestone } from '../contracts';
import { canReadReports, canReturnReport, canWriteReport } from './policy';
import { evidenceOf, milestoneEvidence, reportVersions, type ReportRow } from './queries';
import {
  assessorFor,
  assessorsOf,
  assignAssessor,
  declareAsAssessor,
  isAssessor,
  opinionFileOf,
  scoreAsAssessor,
  ASSESSOR_SOURCES,
  OPINION_EXTENSIONS,
} from './assessors';
import { closeEvaluation, scoreAsManager } from './evaluation';
import { evaluationOf, isEvaluated, latestAssessmentReport, weightsOf } from './results';
import {
  deliverableLines,
  EVIDENCE_EXTENSIONS,
  parseAssignment,
  parseDeclaration,
  parseManagerScore,
  parseReason,
  parseReport,
  parseReviewAnswer,
  parseReviewRequest,
  pathNumber,
  TEXT_MAX,
} from './schemas';
import { formatScore, scoreInput } from './score';
import { returnReport, saveReport } from './service';
import {
  combineIndicators,
  indicatorField,
  indicatorScoresOf,
  indicatorsOf,
  parseIndicatorScores,
  type Indicator,
} from './indicators';
import { citizenScore, isRoundOpen, minRatingsOf, ratingCount, ratingsOf, roundOf } from './ratings';
import { answerReview, requestReview, reviewAvailability, reviewsOf } from './review';
import { SOURCES } from './weighting';

/** The report page of a milestone: every version, the organization's form, the manager's return. */
export function reportHandlers(deps: AppDeps) {
  async function load(req: Request): Promise<ContractMilestone> {
    const m = await contractMilestone(deps.db, pathNumber(req.params.contractId), pathNumber(req.params.seq));
    // Another organization's (or street's) milestone: not found, not even its existence. The
    // assigned peer organization's staff and third-party evaluator read it too.
    if (!m) throw new NotFound();
    if (
      !canReadReports(req.user, m) &&
      !(m.contract_status === 'active' && (await assessorFor(deps.db, req.user, m.contract_id, m.seq)))
    )
      throw new NotFound();
    return m;
  }

  /** The form's values from a stored draft (or the returned version a new draft starts from). */
  function valuesOf(r: ReportRow | undefined, lines: string[]): FormValues {
    if (!r) return {};
    const delivered = JSON.parse(r.delivered_json) as { deliverable: string; delivered: string }[];
    const values: FormValues = {
      peopleServed: r.people_served === null ? '' : String(r.people_served),
      sessionsHeld: r.sessions_held === null ? '' : String(r.sessions_held),
      problems: r.problems ?? '',
      selfScore: scoreInput(r.self_score),
      selfComment: r.self_comment ?? '',
    };
    lines.forEach(
      (line, i) =>
        (values[`delivered_${i}`] =
          delivered.find((d) => d.deliverable === line)?.delivered ?? delivered[i]?.delivered ?? ''),
    );
    return values;
  }

  async function render(
    req: Request,
    res: Response,
    m: ContractMilestone,
    status: number,
    typed?: FormValues,
    errors: Record<string, string> = {},
  ) {
    const versions = await reportVersions(deps.db, m.contract_id, m.seq);
    const evidence = await evidenceOf(
      deps.db,
      versions.map((v) => v.id),
    );
    const latest = versions[0];
    const lines = deliverableLines(m.deliverables);
    const canEdit =
      canWriteReport(req.user, m) && m.contract_status === 'active' && !m.settlement && latest?.status !== 'submitted';
    const draft = latest && latest.status !== 'submitted' ? latest : undefined;
    const evaluation = await evaluationOf(deps.db, m.contract_id, m.seq);
    const manages = canReturnReport(req.user, m);
    const assessors = evaluation ? await assessorsOf(deps.db, evaluation.id) : [];
    const mine = assessors.find((a) => isAssessor(req.user, a));
    const assigning = manages && evaluation?.status === 'open' && m.contract_status === 'active';
    // Names of peer and third-party assessors: for the street and oversight; the organization and
    // the assessors see the role only.
    const showNames = req.user!.role === 'manager' || req.user!.role === 'auditor' || req.user!.role === 'admin';
    const reviews = evaluation && !mine ? await reviewsOf(deps.db, evaluation.id) : [];
    const allReports =
      evaluation && !mine
        ? await deps
            .db('evaluation_reports')
            .where({ evaluation_id: evaluation.id })
            .orderBy('id', 'desc')
            .select('id', 'sha256', 'created_at')
        : [];
    const latestReport = evaluation?.status === 'closed' ? allReports[0] : undefined;
    // The citizen round: its counts and (for the parties and oversight, never the assessors) the comments.
    const round = isEvaluated(m) && !mine ? await roundOf(deps.db, m.contract_id, m.seq) : undefined;
    const now = deps.clock.now();
    const indicators = isEvaluated(m) ? await indicatorsOf(deps.db, m.contract_id) : [];
    const indicatorScores = evaluation ? await indicatorScoresOf(deps.db, evaluation.id) : [];
    const thirdParty = assessors.find((a) => a.source === 'third_party' && a.has_conflict === false);
    const opinionFile = thirdParty ? await opinionFileOf(deps.db, thirdParty.id) : undefined;
    // The form's indicator values: the manager's own, or the third party's own.
    const ownSource = mine ? (mine.source === 'third_party' ? 'third_party' : null) : manages ? 'manager' : null;
    const ownIndicatorValues = Object.fromEntries(
      indicatorScores.filter((s) => s.source === ownSource).map((s) => [indicatorField(s), scoreInput(s.score)]),
    );
    res.status(status).render('evaluations/report', {
      title: req.t('evaluations.report.title', { number: m.contract_number, milestone: m.title }),
      m,
      lines,
      versions: versions.map((v) => ({
        ...v,
        delivered: JSON.parse(v.delivered_json) as { deliverable: string; delivered: string }[],
        files: evidence.filter((f) => f.report_id === v.id),
      })),
      latest,
      canEdit,
      draftFiles: draft ? evidence.filter((f) => f.report_id === draft.id) : [],
      canReturn:
        manages && latest?.status === 'submitted' && evaluation?.status !== 'closed' && m.contract_status === 'active',
      evaluated: isEvaluated(m),
      evaluation,
      evaluationWeights: evaluation?.weights_json ? JSON.parse(evaluation.weights_json) : null,
      contractWeights: weightsOf(m),
      sources: SOURCES,
      assessors,
      mine,
      showNames,
      assessorSources: ASSESSOR_SOURCES,
      peerChoices: assigning
        ? await deps
            .db('organizations')
            .where({ status: 'approved' })
            .whereNot({ id: m.organization_id })
            .orderBy('name')
            .limit(500)
            .select('id', 'name')
        : [],
      reviewerChoices: assigning
        ? await deps
            .db('users')
            .where({ role: 'reviewer' })
            .whereNull('disabled_at')
            .orderBy('display_name')
            .limit(500)
            .select('id', 'display_name')
        : [],
      assigning,
      assessmentSha256:
        latestReport?.sha256 ??
        (evaluation?.status === 'closed'
          ? ((await latestAssessmentReport(deps.db, evaluation.id))?.sha256 ?? null)
          : null),
      earlierReports: allReports.filter((r) => r !== latestReport),
      reviews,
      round,
      roundOpen: round ? isRoundOpen(round, now) : false,
      roundCounts: round ? await ratingCount(deps.db, round.id) : null,
      roundRatings: round ? await ratingsOf(deps.db, round.id) : [],
      minRatings: isEvaluated(m) && !mine ? await minRatingsOf(deps.db, m.contract_id) : null,
      canOpenRound:
        manages &&
        !round &&
        isEvaluated(m) &&
        m.contract_status === 'active' &&
        !m.settlement &&
        evaluation?.status !== 'closed',
      canCloseRound: manages && !!round && isRoundOpen(round, now) && m.contract_status === 'active',
      citizenScoreOf: citizenScore,
      reviewCan: canWriteReport(req.user, m)
        ? await reviewAvailability(deps.db, m, evaluation, deps.clock.now())
        : { ok: false },
      reviewAnswerable: manages && reviews.some((r) => r.status === 'open'),
      canScore:
        manages && evaluation?.status === 'open' && latest?.status === 'submitted' && m.contract_status === 'active',
      indicators,
      indicatorScores,
      indicatorField,
      opinionFile: opinionFile
        ? { name: opinionFile.original_name, size: Number(opinionFile.size_bytes), sha256: opinionFile.sha256 }
        : null,
      opinionAllowed: OPINION_EXTENSIONS.join(', '),
      values: typed ?? {
        ...valuesOf(draft, lines),
        score: scoreInput(mine ? mine.score : evaluation?.manager_score),
        comment: (mine ? mine.comment : evaluation?.manager_comment) ?? '',
        ...ownIndicatorValues,
      },
      errors,
      formatScore,
      textMax: TEXT_MAX,
      allowed: EVIDENCE_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
    });
  }

  const show = async (req: Request, res: Response) => render(req, res, await load(req), 200);

  const translate = (req: Request, errors: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(errors).map(([k, v]) => [k, req.t(v, { allowed: EVIDENCE_EXTENSIONS.join(', '), max: TEXT_MAX })]),
    );

  /** Field messages name the allowed evidence types and the text limit. */
  const messageParams = { allowed: EVIDENCE_EXTENSIONS.join(', '), max: TEXT_MAX };

  async function save(req: Request, res: Response) {
    const m = await load(req);
    const submit = req.body?.intent === 'submit';
    await submitForm(req, res, {
      again: ({ status, errors, values }) => render(req, res, m, status, values, errors),
      uploadField: 'files',
      parse: (body) => {
        const values = formValues(body);
        const forbidden = forbiddenFieldsOf(body);
        if (forbidden.length)
          return { ok: false, errors: Object.fromEntries(forbidden.map((f) => [f, req.t(FIELD_KEY)])), values };
        const parsed = parseReport(req.body ?? {}, deliverableLines(m.deliverables), submit);
        return parsed.ok ? parsed : { ok: false, errors: translate(req, parsed.errors), values };
      },
      messageParams,
      run: async (data) => {
        const status = await saveReport(
          deps,
          actorOf(req),
          req.user!,
          m.contract_id,
          m.seq,
          data,
          uploadedFiles(req, 'files'),
          submit,
        );
        return {
          redirect: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          flash: req.t(status === 'submitted' ? 'evaluations.report.submitted' : 'evaluations.report.saved'),
        };
      },
    });
  }

  async function giveBack(req: Request, res: Response) {
    const m = await load(req);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => render(req, res, m, status, values, errors),
      parse: (body) => {
        const parsed = parseReason(req.body ?? {});
        return parsed.ok
          ? { ok: true, data: parsed.reason }
          : { ok: false, errors: translate(req, parsed.errors), values: formValues(body) };
      },
      messageParams,
      run: async (reason) => {
        await returnReport(deps, actorOf(req), req.user!, m.contract_id, m.seq, reason);
        return {
          redirect: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          flash: req.t('evaluations.report.returnedDone'),
        };
      },
    });
  }

  /** A source's score: one number, or with the call's indicators one per indicator combined by weight. */
  async function readScore(req: Request, indicators: Indicator[]) {
    if (!indicators.length) return parseManagerScore(req.body ?? {});
    const body = { ...(req.body ?? {}), score: '0' };
    const base = parseManagerScore(body);
    const each = parseIndicatorScores(body, indicators);
    const errors = { ...(base.ok ? {} : base.errors), ...(each.ok ? {} : each.errors) };
    if (!base.ok || !each.ok) return { ok: false as const, errors };
    return { ok: true as const, score: combineIndicators(each.scores), comment: base.comment, indicators: each.scores };
  }

  async function score(req: Request, res: Response) {
    const m = await load(req);
    const parsed = await readScore(req, await indicatorsOf(deps.db, m.contract_id));
    if (!parsed.ok) return render(req, res, m, 422, formValues(req.body), translate(req, parsed.errors));
    await scoreAsManager(
      deps,
      actorOf(req),
      req.user!,
      m.contract_id,
      m.seq,
      parsed.score,
      parsed.comment,
      'indicators' in parsed ? parsed.indicators : [],
    );
    flash(req, 'success', req.t('evaluations.evaluation.scored'));
    res.redirect(303, `/contracts/${m.contract_id}/milestones/${m.seq}/report`);
  }

  async function close(req: Request, res: Response) {
    const m = await load(req);
    const closed = await closeEvaluation(deps, actorOf(req), req.user!, m.contract_id, m.seq);
    flash(
      req,
      'success',
      req.t('evaluations.evaluation.closedDone', {
        score: formatScore(closed.total_score),
        grade: req.t('evaluations.grade.' + closed.grade),
      }),
    );
    res.redirect(303, `/contracts/${m.contract_id}/milestones/${m.seq}/report`);
  }

  const back = (res: Response, m: ContractMilestone) =>
    res.redirect(303, `/contracts/${m.contract_id}/milestones/${m.seq}/report`);

  async function assign(req: Request, res: Response) {
    const m = await load(req);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => render(req, res, m, status, values, errors),
      parse: (body) => {
        const parsed = parseAssignment(req.body ?? {});
        return parsed.ok
          ? { ok: true, data: parsed }
          : { ok: false, errors: translate(req, parsed.errors), values: formValues(body) };
      },
      messageParams,
      run: async ({ source, targetId }) => {
        await assignAssessor(deps, actorOf(req), req.user!, m.contract_id, m.seq, source, targetId);
        return {
          redirect: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          flash: req.t('evaluations.assessor.assigned'),
        };
      },
    });
  }

  async function declaration(req: Request, res: Response) {
    const m = await load(req);
    const parsed = parseDeclaration(req.body ?? {});
    if (!parsed.ok) return render(req, res, m, 422, formValues(req.body), translate(req, parsed.errors));
    await declareAsAssessor(deps, actorOf(req), req.user!, m.contract_id, m.seq, parsed.hasConflict);
    flash(
      req,
      'success',
      req.t(parsed.hasConflict ? 'evaluations.assessor.conflictDeclared' : 'evaluations.assessor.noConflictDeclared'),
    );
    back(res, m);
  }

  async function assessorScore(req: Request, res: Response) {
    const m = await load(req);
    await submitForm(req, res, {
      again: ({ status, errors, values }) => render(req, res, m, status, values, errors),
      uploadField: 'opinion',
      // An opinion file whose content or type is refused names the allowed types.
      messageParams: { allowed: OPINION_EXTENSIONS.join(', '), max: TEXT_MAX },
      run: async () => {
        const mine = await assessorFor(deps.db, req.user, m.contract_id, m.seq);
        // The peer scores with one number; the third party on the indicators (when the call has them).
        const indicators = mine?.source === 'third_party' ? await indicatorsOf(deps.db, m.contract_id) : [];
        const parsed = await readScore(req, indicators);
        if (!parsed.ok) throw new ValidationFailed(parsed.errors);
        const [file] = uploadedFiles(req, 'opinion');
        if (file && mine?.source !== 'third_party')
          throw new ValidationFailed({ opinion: 'evaluations.errors.opinionThirdPartyOnly' });
        await scoreAsAssessor(
          deps,
          actorOf(req),
          req.user!,
          m.contract_id,
          m.seq,
          parsed.score,
          parsed.comment,
          'indicators' in parsed ? parsed.indicators : [],
          file,
        );
        return {
          redirect: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          flash: req.t('evaluations.assessor.scored'),
        };
      },
    });
  }

  /** The stored assessment report: exactly the bytes fixed on closing. The newest by default; an
   *  earlier one (of a closing a review reopened) by `?report=<id>`. */
  async function assessmentPdf(req: Request, res: Response) {
    const m = await load(req);
    const q = deps
      .db('evaluation_reports as er')
      .join('milestone_evaluations as e', 'e.id', 'er.evaluation_id')
      .join('stored_files as f', 'f.id', 'er.file_id')
      .where({ 'e.contract_id': m.contract_id, 'e.milestone_seq': m.seq })
      .orderBy('er.id', 'desc');
    if (req.query.report !== undefined) q.where('er.id', pathNumber(req.query.report));
    const file = await q.first('f.*');
    if (!file) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, {
      ...file,
      id: Number(file.id),
      size_bytes: Number(file.size_bytes),
    });
  }

  /** The third party's evaluation file: to whoever reads the report (the policy's readers and the assessors). */
  async function opinion(req: Request, res: Response) {
    const m = await load(req);
    const evaluation = await evaluationOf(deps.db, m.contract_id, m.seq);
    const third = evaluation && (await assessorsOf(deps.db, evaluation.id)).find((a) => a.source === 'third_party');
    const file = third && (await opinionFileOf(deps.db, third.id));
    if (!file) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, {
      ...file,
      id: Number(file.id),
      size_bytes: Number(file.size_bytes),
    });
  }

  async function download(req: Request, res: Response) {
    const m = await load(req);
    const file = await milestoneEvidence(deps.db, m.contract_id, m.seq, pathNumber(req.params.fileId));
    if (!file) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, {
      id: file.file_id,
      storage_key: file.storage_key,
      original_name: file.original_name,
      mime_type: file.mime_type,
      size_bytes: file.size_bytes,
      sha256: file.sha256,
      uploaded_by: null,
      created_at: file.created_at,
    });
  }

  async function askReview(req: Request, res: Response) {
    const m = await load(req);
    const parsed = parseReviewRequest(req.body ?? {});
    if (!parsed.ok) return render(req, res, m, 422, formValues(req.body), translate(req, parsed.errors));
    await requestReview(deps, actorOf(req), req.user!, m.contract_id, m.seq, parsed.reasons);
    flash(req, 'success', req.t('evaluations.review.asked'));
    back(res, m);
  }

  async function answer(req: Request, res: Response) {
    const m = await load(req);
    const parsed = parseReviewAnswer(req.body ?? {});
    if (!parsed.ok) return render(req, res, m, 422, formValues(req.body), translate(req, parsed.errors));
    await answerReview(deps, actorOf(req), req.user!, m.contract_id, m.seq, parsed.decision, parsed.answer);
    flash(
      req,
      'success',
      req.t(parsed.decision === 'upheld' ? 'evaluations.review.upheldDone' : 'evaluations.review.rejectedDone'),
    );
    back(res, m);
  }

  return {
    renderWith: render,
    opinion,
    askReview,
    answer,
    show,
    save,
    giveBack,
    score,
    close,
    assign,
    declaration,
    assessorScore,
    assessmentPdf,
    download,
  };
}
