import type { Queryable } from '../../db/knex';
import { closedEvaluation } from '../evaluations';
import { paymentLedgerOfContracts, type FundSource } from '../funds';
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

export async function contractEvaluations(db: Queryable, c: Pick<PublicContract, 'id' | 'milestones'>): Promise<PublicEvaluation[]> {
  const out: PublicEvaluation[] = [];
  for (const m of c.milestones) {
    const e = await closedEvaluation(db, m.id);
    if (e) out.push({ milestoneSeq: e.seq, milestoneId: e.milestoneId, score: e.score, grade: e.grade, stars: e.stars, citizenRatings: 0, closedAt: e.closedAt, passed: e.passed });
  }
  return out;
}

/** Until the payments module's paymentsOfContract is merged: the funds ledger's payment entries, one per entry. */
export async function contractPayments(db: Queryable, c: Pick<PublicContract, 'id'>): Promise<PublicPayment[]> {
  const rows = await paymentLedgerOfContracts(db, [c.id]);
  return rows.map((r) => ({
    id: `entry-${r.id}`,
    kind: r.kind === 'payment' ? 'release' : 'reversal',
    milestoneSeq: null,
    amountFen: Math.abs(r.signed_fen),
    sources: [{ source: r.source, amountFen: Math.abs(r.signed_fen) }],
    date: r.created_at,
  }));
}
