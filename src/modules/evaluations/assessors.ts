import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { lockContractMilestone, type ContractMilestone } from '../contracts';
import { notify, staffOf } from '../notifications';
import { canReturnReport } from './policy';
import { evaluationOf, type EvaluationRow } from './results';
import { writeIndicatorScores, type IndicatorScore } from './indicators';
import { storeFile, withFileCleanup } from '../../files/storage';
import { extensionOf } from '../../files/signatures';

type Deps = Pick<AppDeps, 'db' | 'clock'>;
export const ASSESSOR_SOURCES = ['peer', 'third_party'] as const;
export type AssessorSource = (typeof ASSESSOR_SOURCES)[number];

export interface AssessorRow {
  id: number;
  evaluation_id: number;
  source: AssessorSource;
  organization_id: number | null;
  user_id: number | null;
  has_conflict: boolean | null;
  declared_at: string | null;
  score: number | null;
  comment: string | null;
  scored_at: string | null;
  name?: string | null;
}

const numeric = (r: AssessorRow): AssessorRow => ({
  ...r,
  id: Number(r.id),
  evaluation_id: Number(r.evaluation_id),
  organization_id: r.organization_id === null ? null : Number(r.organization_id),
  user_id: r.user_id === null ? null : Number(r.user_id),
  has_conflict: r.has_conflict === null ? null : r.has_conflict === true || (r.has_conflict as unknown) === 1,
  score: r.score === null ? null : Number(r.score),
});

/** The assessors of an evaluation with the name of each (the organization's or the evaluator's). */
export async function assessorsOf(db: Queryable, evaluationId: number): Promise<AssessorRow[]> {
  const rows = await db('evaluation_assessors as a')
    .leftJoin('organizations as o', 'o.id', 'a.organization_id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('a.evaluation_id', evaluationId)
    .orderBy('a.source')
    .select('a.*', db.raw('coalesce(o.name, u.display_name) as name'));
  return rows.map(numeric);
}

/** Whether this user is the assessor (peer organization's staff, or the third-party evaluator). */
export const isAssessor = (
  user: SessionUser | undefined,
  a: Pick<AssessorRow, 'source' | 'organization_id' | 'user_id'>,
) =>
  !!user &&
  (a.source === 'peer'
    ? user.role === 'org_staff' && user.organizationId === a.organization_id
    : user.role === 'reviewer' && user.id === a.user_id);

/**
 * The assessor row this user holds on the milestone's **open** evaluation, if any (gives read access).
 * An assessor reads another organization's report and evidence for one purpose, scoring it; once the
 * evaluation closes that purpose is over, so the access ends there (as a reviewer's panel access ends
 * with scoring): the peer is a competitor of the contractor, and the report's result is the parties'
 * and oversight's to read. An upheld review reopens the evaluation, and the access with it.
 */
export async function assessorFor(
  db: Queryable,
  user: SessionUser | undefined,
  contractId: number,
  seq: number,
): Promise<AssessorRow | undefined> {
  if (!user || (user.role !== 'org_staff' && user.role !== 'reviewer')) return undefined;
  const q = db('evaluation_assessors as a')
    .join('milestone_evaluations as e', 'e.id', 'a.evaluation_id')
    .where({ 'e.contract_id': contractId, 'e.milestone_seq': seq, 'e.status': 'open' });
  if (user.role === 'reviewer') q.where({ 'a.source': 'third_party', 'a.user_id': user.id });
  else q.where({ 'a.source': 'peer', 'a.organization_id': user.organizationId ?? 0 });
  const r = await q.first('a.*');
  return r ? numeric(r) : undefined;
}

async function lockedOpen(
  trx: Knex.Transaction,
  contractId: number,
  seq: number,
): Promise<{ m: ContractMilestone; evaluation: EvaluationRow }> {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m) throw new NotFound();
  const evaluation = await evaluationOf(trx, contractId, seq);
  if (!evaluation) throw new NotFound();
  return { m, evaluation };
}

const link = (m: ContractMilestone) => `/contracts/${m.contract_id}/milestones/${m.seq}/report`;

/**
 * The manager assigns the peer organization (approved, never the contractor) or the third-party
 * evaluator (an active reviewer, not of the contractor). One per source; an assessor who declared a
 * conflict may be replaced, one who did not may not (409).
 */
export async function assignAssessor(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  source: AssessorSource,
  targetId: number,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const { m, evaluation } = await lockedOpen(trx, contractId, seq);
    if (!canReturnReport(user, m)) throw new NotFound();
    if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
    if (evaluation.status !== 'open') throw new InvalidState('evaluations.errors.evaluationClosed');
    let target: { organization_id: number | null; user_id: number | null };
    let notified: number[];
    // Refusals name the form's field of this source.
    const field = `target_${source}`;
    if (source === 'peer') {
      const org = await trx('organizations').where({ id: targetId, status: 'approved' }).first('id');
      if (!org) throw new ValidationFailed({ [field]: 'validation.choose' });
      if (targetId === m.organization_id)
        throw new ValidationFailed({ [field]: 'evaluations.errors.peerIsContractor' });
      target = { organization_id: targetId, user_id: null };
      notified = await staffOf(trx, [targetId]);
    } else {
      const reviewer = await trx('users')
        .where({ id: targetId, role: 'reviewer' })
        .whereNull('disabled_at')
        .first('id', 'organization_id');
      if (!reviewer) throw new ValidationFailed({ [field]: 'validation.choose' });
      if (reviewer.organization_id !== null && Number(reviewer.organization_id) === m.organization_id)
        throw new ValidationFailed({ [field]: 'evaluations.errors.thirdPartyOfContractor' });
      target = { organization_id: null, user_id: targetId };
      notified = [targetId];
    }
    const existing = (await assessorsOf(trx, evaluation.id)).find((a) => a.source === source);
    if (existing && existing.has_conflict !== true) throw new InvalidState('evaluations.errors.assessorAssigned');
    const row = {
      ...target,
      assigned_by: user.id,
      assigned_at: at,
      has_conflict: null,
      declared_by: null,
      declared_at: null,
      score: null,
      comment: null,
      scored_by: null,
      scored_at: null,
    };
    if (existing) await trx('evaluation_assessors').where({ id: existing.id, has_conflict: true }).update(row);
    else await trx('evaluation_assessors').insert({ evaluation_id: evaluation.id, source, ...row });
    await notify(
      trx,
      notified,
      {
        kind: 'evaluation.assessor_assigned',
        messageKey: 'evaluations.notifications.assessorAssigned',
        params: { number: m.contract_number, milestone: m.title },
        link: link(m),
        subjectType: 'milestone_evaluation',
        subjectId: evaluation.id,
      },
      now,
    );
    return {
      result: undefined,
      audit: {
        action: 'evaluation.assessor_assign',
        subjectType: 'milestone_evaluation',
        subjectId: evaluation.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        before: existing ? { replaced: existing.organization_id ?? existing.user_id } : undefined,
        after: { source, ...target },
      },
    };
  });
}

async function ownAssessor(trx: Knex.Transaction, user: SessionUser, contractId: number, seq: number) {
  const { m, evaluation } = await lockedOpen(trx, contractId, seq);
  const mine = (await assessorsOf(trx, evaluation.id)).find((a) => isAssessor(user, a));
  if (!mine) throw new NotFound();
  if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
  if (evaluation.status !== 'open') throw new InvalidState('evaluations.errors.evaluationClosed');
  return { m, evaluation, mine };
}

/** The assessor's declaration, as on the review panel: final once a conflict is declared; "no
 *  conflict" may later become "conflict" until the assessor has scored. */
export async function declareAsAssessor(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  hasConflict: boolean,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const { m, evaluation, mine } = await ownAssessor(trx, user, contractId, seq);
    if (mine.has_conflict === true) throw new InvalidState('evaluations.errors.declarationFinal');
    if (mine.has_conflict === false && !hasConflict) throw new InvalidState('evaluations.errors.declared');
    if (mine.score !== null) throw new InvalidState('evaluations.errors.alreadyScored');
    const n = await trx('evaluation_assessors')
      .where({ id: mine.id })
      .whereNull('score')
      .update({ has_conflict: hasConflict, declared_by: user.id, declared_at: now.toISOString() });
    if (n !== 1) throw new InvalidState('evaluations.errors.alreadyScored');
    return {
      result: undefined,
      audit: {
        action: hasConflict ? 'evaluation.conflict_declared' : 'evaluation.no_conflict_declared',
        subjectType: 'milestone_evaluation',
        subjectId: evaluation.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        after: { source: mine.source },
      },
    };
  });
}

/** The assessor's score (hundredths) with a comment, only after declaring no conflict; changeable while open. */
export async function scoreAsAssessor(
  deps: Deps & Pick<AppDeps, 'config'>,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  score: number,
  comment: string,
  indicators: IndicatorScore[] = [],
  opinionFile?: Express.Multer.File,
): Promise<void> {
  const now = deps.clock.now();
  await withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const { m, evaluation, mine } = await ownAssessor(trx, user, contractId, seq);
      if (mine.has_conflict === true) throw new Forbidden('evaluations.errors.conflicted');
      if (mine.has_conflict === null) throw new InvalidState('evaluations.errors.declareFirst');
      const n = await trx('evaluation_assessors')
        .where({ id: mine.id, has_conflict: false })
        .update({ score, comment, scored_by: user.id, scored_at: now.toISOString() });
      if (n !== 1) throw new InvalidState('evaluations.errors.declareFirst');
      // The third party scores the indicators and may attach its evaluation file (content-checked).
      if (mine.source === 'third_party' && indicators.length)
        await writeIndicatorScores(trx, evaluation.id, 'third_party', indicators);
      let fileSha: string | undefined;
      if (mine.source === 'third_party' && opinionFile) {
        if (!OPINION_EXTENSIONS.includes(extensionOf(opinionFile.originalname)))
          throw new ValidationFailed({ opinion: 'evaluations.errors.opinionType' });
        const stored = await storeFile(trx, deps.config.uploadDir, opinionFile, 'opinion', user.id, now);
        written.push(stored.storage_key);
        fileSha = stored.sha256;
        await trx('evaluation_opinion_files').where({ assessor_id: mine.id }).delete();
        await trx('evaluation_opinion_files').insert({
          assessor_id: mine.id,
          file_id: stored.id,
          created_at: now.toISOString(),
        });
      }
      return {
        result: undefined,
        audit: {
          action: 'evaluation.assessor_score',
          subjectType: 'milestone_evaluation',
          subjectId: evaluation.id,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          before: { score: mine.score },
          after: {
            source: mine.source,
            score,
            comment,
            ...(indicators.length
              ? { indicators: indicators.map((i) => ({ name: i.name, weight: i.weight, score: i.score })) }
              : {}),
            ...(fileSha ? { opinion_file_sha256: fileSha } : {}),
          },
        },
      };
    }),
  );
}

/** The third party's evaluation file: a PDF, a spreadsheet or an image (as the evidence). */
export const OPINION_EXTENSIONS = ['pdf', 'xlsx', 'jpg', 'jpeg', 'png'];

/** The stored evaluation file of an assessor, if any. */
export const opinionFileOf = (db: Queryable, assessorId: number) =>
  db('evaluation_opinion_files as o')
    .join('stored_files as f', 'f.id', 'o.file_id')
    .where('o.assessor_id', assessorId)
    .first('f.*');

/** The scores that count on closing: an assessor with no conflict declared who scored. */
export async function assessorScores(
  db: Queryable,
  evaluationId: number,
): Promise<{ peer: number | null; third_party: number | null }> {
  const rows = await assessorsOf(db, evaluationId);
  const pick = (s: AssessorSource) =>
    rows.find((a) => a.source === s && a.has_conflict === false && a.score !== null)?.score ?? null;
  return { peer: pick('peer'), third_party: pick('third_party') };
}
