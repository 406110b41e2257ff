import { splitByWeights, splitMatrix } from '../../shared/split';
import type { FundSource, SourceAmount } from '../funds';

/** What a milestone may be paid, and why, as the proposal page shows it. */
export interface Allowance {
  kind: 'advance' | 'full' | 'partial' | 'withheld';
  /** The most the proposal may ask for (fen). */
  allowedFen: number;
  shareFen: number;
  /** Hundredths; null for an advance. */
  score: number | null;
  grade: string | null;
  passScore: number | null;
  floorScore: number | null;
}

/**
 * The partial rule's arithmetic in figures, e.g. "¥10,000.00 × (72.50 − 60) ÷ (80 − 60) = ¥6,250.00",
 * the same integer formula as the evaluation's consequence (share × (score − floor) ÷ (pass − floor),
 * rounded down to the fen). The view formats it; here the numbers only.
 */
export function partialArithmetic(
  a: Allowance,
): { shareFen: number; score: number; floor: number; pass: number; resultFen: number } | null {
  if (a.kind !== 'partial' || a.score === null || a.floorScore === null || a.passScore === null) return null;
  return { shareFen: a.shareFen, score: a.score, floor: a.floorScore, pass: a.passScore, resultFen: a.allowedFen };
}

/**
 * The default sources of a milestone's payment: the contract's funding mix, fen-exact. The whole
 * schedule (every milestone's share) is split against the contract's sources (committed + paid)
 * with splitMatrix, so the rows of all milestones add up exactly to each source and paying every
 * milestone in full never leaves a source a fen short; this milestone's row is then scaled to the
 * amount proposed (largest remainder). If the contract's money has moved so that a source no longer
 * holds its part (an amendment, a reversal), the amount is split by what each source still holds.
 */
export function defaultSources(args: {
  amountFen: number;
  milestoneShares: { milestoneId: number; amountFen: number }[];
  milestoneId: number;
  holdings: { source: FundSource; committedFen: number; paidFen: number }[];
}): SourceAmount[] {
  const { amountFen, holdings } = args;
  if (amountFen === 0 || !holdings.length) return [];
  const sources = holdings.map((h) => h.source);
  const columns = holdings.map((h) => h.committedFen + h.paidFen);
  const rows = args.milestoneShares.map((m) => m.amountFen);
  let parts: number[] | undefined;
  const total = rows.reduce((s, r) => s + r, 0);
  if (total === columns.reduce((s, c) => s + c, 0) && total > 0) {
    const row = splitMatrix(rows, columns)[args.milestoneShares.findIndex((m) => m.milestoneId === args.milestoneId)];
    if (row && row.reduce((s, x) => s + x, 0) >= amountFen) parts = splitByWeights(amountFen, row);
  }
  if (!parts || parts.some((p, i) => p > holdings[i].committedFen)) {
    const committed = holdings.map((h) => h.committedFen);
    if (committed.reduce((s, c) => s + c, 0) < amountFen) return [];
    parts = splitByWeights(amountFen, committed);
  }
  return sources.map((source, i) => ({ source, amountFen: parts![i] })).filter((p) => p.amountFen > 0);
}
