/** The five sources of an evaluation, in the order the contract lists their weights. */
export const SOURCES = ['self', 'manager', 'peer', 'citizen', 'third_party'] as const;
export type Source = (typeof SOURCES)[number];

export type Grade = 'excellent' | 'good' | 'pass' | 'fail';

export interface WeightedResult {
  /** Hundredths, rounded half up from the exact weighted mean. */
  total: number;
  grade: Grade;
  stars: number;
  /** Sources that scored, with their contract weight and the weight used after renormalizing
   *  (hundredths of a percent, for display; the total is computed from the exact fractions). */
  used: { source: Source; score: number; weight: number; usedWeight: number }[];
  /** Sources without a score (or with weight 0): their weight went to the others in proportion. */
  missing: Source[];
}

/** 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 < 60 — on the rounded score (hundredths). */
export const gradeOf = (total: number): Grade =>
  total >= 9000 ? 'excellent' : total >= 8000 ? 'good' : total >= 6000 ? 'pass' : 'fail';

/** ≥ 90 five, ≥ 80 four, ≥ 70 three, ≥ 60 two, else one. */
export const starsOf = (total: number): number =>
  total >= 9000 ? 5 : total >= 8000 ? 4 : total >= 7000 ? 3 : total >= 6000 ? 2 : 1;

/** Integer division rounding half up, for non-negative numbers. */
const roundHalfUp = (num: bigint, den: bigint): bigint => (2n * num + den) / (2n * den);

/**
 * The weighted score from the sources that scored (scores in hundredths, weights in whole percent
 * summing to 100). A missing source's weight is redistributed over the others in proportion to
 * theirs: total = Σ(score·w) / Σw over the present sources, computed in integers and rounded half up
 * to the hundredth. A source present with weight 0 counts as missing (it cannot carry weight).
 * Undefined when no source with weight scored (nothing to close on).
 */
export function weightedScore(
  scores: Partial<Record<Source, number | null>>,
  weights: Record<Source, number>,
): WeightedResult | undefined {
  const present = SOURCES.filter((s) => scores[s] !== null && scores[s] !== undefined && weights[s] > 0);
  const den = present.reduce((sum, s) => sum + BigInt(weights[s]), 0n);
  if (den === 0n) return undefined;
  const num = present.reduce((sum, s) => sum + BigInt(scores[s]!) * BigInt(weights[s]), 0n);
  const total = Number(roundHalfUp(num, den));
  return {
    total,
    grade: gradeOf(total),
    stars: starsOf(total),
    used: present.map((s) => ({
      source: s,
      score: scores[s]!,
      weight: weights[s],
      usedWeight: Number(roundHalfUp(BigInt(weights[s]) * 10000n, den)),
    })),
    missing: SOURCES.filter((s) => !present.includes(s)),
  };
}

export interface PaymentConsequence {
  kind: 'full' | 'partial' | 'withheld';
  /** What the milestone's share pays on this score, in fen. */
  payableFen: number;
}

/**
 * The contract's payment rule applied to a closed score (hundredths), as the signed contract words
 * it: at or above the pass score the whole share; with the pro-rata rule, above the floor and below
 * the pass score amount × (score − floor) ÷ (pass − floor), rounded down to the fen; otherwise
 * nothing (withheld).
 */
export function paymentConsequence(
  amountFen: number,
  total: number,
  passScore: number,
  rule: 'none' | 'pro_rata',
  floorScore: number | null,
): PaymentConsequence {
  if (total >= passScore * 100) return { kind: 'full', payableFen: amountFen };
  if (rule === 'pro_rata' && floorScore !== null && total > floorScore * 100) {
    const payable = (BigInt(amountFen) * BigInt(total - floorScore * 100)) / BigInt((passScore - floorScore) * 100);
    return { kind: 'partial', payableFen: Number(payable) };
  }
  return { kind: 'withheld', payableFen: 0 };
}
