import type { Queryable } from '../../db/knex';
import { publicEvaluationResults } from '../evaluations';
import type { FundSource } from '../funds';
import { paymentsOfContract } from '../payments';
import type { PublicContract } from '../contracts';

/**
 * The two things the public pages take from the evaluation and payment steps, in one place.
 * Evaluations: the closed result per milestone (score in hundredths, grade, stars, the number of
 * citizens' ratings; never a comment, a name or an individual score). Payments: each released
 * payment or reversal with its milestone, amount, per-source amounts and date.
 */

export interface PublicEvaluation {
  milestoneSeq: number;
  milestoneId: number;
  score: number;
  grade: string;
  stars: number;
  citizenRatings: number;
  closedAt: string;
  passed: boolean | null;
}

export interface PublicPayment {
  id: string;
  kind: 'release' | 'reversal';
  milestoneSeq: number | null;
  amountFen: number;
  sources: { source: FundSource; amountFen: number }[];
  date: string;
}

/** The closed evaluations of the contract's milestones (evaluations module: no comments, no names, no individual scores). */
export async function contractEvaluations(
  db: Queryable,
  c: Pick<PublicContract, 'id' | 'milestones'>,
): Promise<PublicEvaluation[]> {
  const rows = await publicEvaluationResults(db, c.id);
  return rows.map((e) => {
    // Reached the milestone's pass score (a whole number; the score is in hundredths)?
    const pass = c.milestones.find((m) => m.seq === e.milestoneSeq)?.passScore ?? null;
    return {
      milestoneSeq: e.milestoneSeq,
      milestoneId: e.milestoneId,
      score: e.score,
      grade: e.grade,
      stars: e.stars,
      citizenRatings: e.citizenRatings,
      closedAt: e.closedAt,
      passed: pass === null ? null : e.score >= pass * 100,
    };
  });
}

/** Released payments and reversals of the contract (payments module). A withheld settlement moves no money and is not a payment. */
export async function contractPayments(db: Queryable, c: Pick<PublicContract, 'id'>): Promise<PublicPayment[]> {
  const rows = await paymentsOfContract(db, c.id);
  return rows
    .filter((p) => p.kind === 'release' || p.kind === 'reversal')
    .map((p) => ({
      id: String(p.paymentId),
      kind: p.kind as 'release' | 'reversal',
      milestoneSeq: p.milestoneSeq,
      amountFen: Math.abs(p.amountFen),
      sources: p.sources.map((s) => ({ source: s.source, amountFen: Math.abs(s.amountFen) })),
      date: p.approvedAt,
    }));
}
