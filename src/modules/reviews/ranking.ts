import type { Queryable } from '../../db/knex';
import { formatScore } from '../../shared/score';

/** One bid in the ranking of a call (the interface the awards module relies on). */
export interface RankedBid {
  bidId: number;
  /** The bid's public reference, for pages, form fields and audit events (never the id). */
  bidRef: string;
  organizationId: number;
  organizationName: string;
  priceFen: number;
  submittedAt: string;
  /** Reviewers whose complete sheet counts for this bid. */
  sheets: number;
  /** Mean weighted score × 100, rounded half up: 8725 = 87.25. */
  scoreHundredths: number;
  rank: number;
  /** Which rule put this bid above the next one: 'score' when the exact means differ; 'price' or
   *  'submission' when the means tie; null for the last bid (or a tie on all three, ordered by id). */
  decidedBy: 'score' | 'price' | 'submission' | null;
}

/** A bid with the exact sum behind its mean: mean = weightedSum / (100 × sheets). */
export interface ScoredBid {
  bidId: number;
  bidRef: string;
  organizationId: number;
  organizationName: string;
  priceFen: number;
  submittedAt: string;
  sheets: number;
  /** Σ over the counted sheets of Σ score × weight (an integer). */
  weightedSum: number;
}

type Rule = 'score' | 'price' | 'submission' | null;

/** Orders two bids; negative when `a` ranks above `b`, with the rule that decided. Means are compared
 *  exactly by cross-multiplying the integer numerators (a.sum / a.n vs b.sum / b.n); a bid nobody
 *  scored ranks after every scored one. */
export function compareBids(a: ScoredBid, b: ScoredBid): { order: number; rule: Rule } {
  if (a.sheets > 0 !== b.sheets > 0) return { order: a.sheets > 0 ? -1 : 1, rule: 'score' };
  if (a.sheets > 0) {
    const cross = a.weightedSum * b.sheets - b.weightedSum * a.sheets;
    if (cross !== 0) return { order: cross > 0 ? -1 : 1, rule: 'score' };
  }
  if (a.priceFen !== b.priceFen) return { order: a.priceFen < b.priceFen ? -1 : 1, rule: 'price' };
  if (a.submittedAt !== b.submittedAt) return { order: a.submittedAt < b.submittedAt ? -1 : 1, rule: 'submission' };
  return { order: a.bidId - b.bidId, rule: null };
}

/** sum / n rounded half up, for non-negative integers. */
export const roundedMean = (sum: number, n: number) => (n > 0 ? Math.floor((2 * sum + n) / (2 * n)) : 0);

/** Ranks scored bids: sorted by compareBids, numbered 1..n, each told which rule put it above the next. */
export function rankScored(bids: ScoredBid[]): RankedBid[] {
  const sorted = [...bids].sort((a, b) => compareBids(a, b).order);
  return sorted.map((b, i) => ({
    bidId: b.bidId,
    bidRef: b.bidRef,
    organizationId: b.organizationId,
    organizationName: b.organizationName,
    priceFen: b.priceFen,
    submittedAt: b.submittedAt,
    sheets: b.sheets,
    // The sheet sums are score × weight with weights summing to 100: mean × 100 = sum / sheets.
    scoreHundredths: roundedMean(b.weightedSum, b.sheets),
    rank: i + 1,
    decidedBy: i + 1 < sorted.length ? compareBids(b, sorted[i + 1]).rule : null,
  }));
}

/**
 * The sheets that count, one row per (bid, reviewer): submitted bids of the call, reviewers still on
 * the panel who declared no conflict with the bid, are not affiliated with its organization, and
 * scored every criterion of the call. Σ score × weight per sheet. Same SQL on SQLite and PostgreSQL.
 */
export function countedSheets(db: Queryable, callId: number) {
  return db('review_scores as s')
    .join('bids as b', 'b.id', 's.bid_id')
    .join('call_criteria as cc', (j) => j.on('cc.id', 's.criterion_id').andOn('cc.call_id', 'b.call_id'))
    .join('call_reviewers as cr', (j) => j.on('cr.call_id', 'b.call_id').andOn('cr.reviewer_id', 's.reviewer_id'))
    .join('conflict_declarations as d', (j) => j.on('d.bid_id', 's.bid_id').andOn('d.reviewer_id', 's.reviewer_id'))
    .join('users as u', 'u.id', 's.reviewer_id')
    .where({ 'b.call_id': callId, 'b.status': 'submitted', 'd.has_conflict': false })
    .where((q) => q.whereNull('u.organization_id').orWhereRaw('u.organization_id <> b.organization_id'))
    .groupBy('s.bid_id', 's.reviewer_id')
    .havingRaw('COUNT(*) = (SELECT COUNT(*) FROM call_criteria WHERE call_id = ?)', [callId])
    .select('s.bid_id', 's.reviewer_id', db.raw('SUM(s.score * cc.weight) AS weighted'));
}

/** The ranking of a call's submitted bids: one query (sheet sums aggregated per bid in SQL), exact
 *  comparison, ties broken by the lower price, then the earlier submission. */
export async function rankBids(db: Queryable, callId: number): Promise<RankedBid[]> {
  const rows = await db('bids as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .leftJoin(countedSheets(db, callId).as('ss'), 'ss.bid_id', 'b.id')
    .where({ 'b.call_id': callId, 'b.status': 'submitted' })
    .groupBy('b.id', 'b.ref', 'b.organization_id', 'o.name', 'b.price_fen', 'b.submitted_at')
    .select(
      'b.id',
      'b.ref',
      'b.organization_id',
      'o.name as organization_name',
      'b.price_fen',
      'b.submitted_at',
      db.raw('COUNT(ss.bid_id) AS sheets'),
      db.raw('COALESCE(SUM(ss.weighted), 0) AS weighted_sum'),
    );
  return rankScored(
    rows.map((r) => ({
      bidId: Number(r.id),
      bidRef: r.ref,
      organizationId: Number(r.organization_id),
      organizationName: r.organization_name,
      priceFen: Number(r.price_fen),
      submittedAt: r.submitted_at,
      sheets: Number(r.sheets),
      weightedSum: Number(r.weighted_sum),
    })),
  );
}

/** Scoring is closed once the manager closed it (and until an upheld objection reopens it). */
export function scoringClosed(call: { scoring_closed_at: string | null }): boolean {
  return !!call.scoring_closed_at;
}

/** 8725 -> "87.25"; sheet sums (Σ score × weight) use the same scale (the one score formatter). */
export const formatHundredths = (h: number): string => formatScore(h);
