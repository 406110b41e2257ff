/** What an evaluation says, read (evaluation.ts has its steps): its row, whether a milestone is evaluated
 *  and its source weights, the closed result a payment follows, the public results per contract. */
import type { Queryable } from '../../db/knex';
import { contractMilestoneById, type ContractMilestone } from '../contracts';
import { paymentConsequence, type Grade, type PaymentConsequence, type Source } from './weighting';

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
