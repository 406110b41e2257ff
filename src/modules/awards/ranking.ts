import type { Queryable } from '../../db/knex';
import { submittedBids } from '../bids';

/**
 * What the awards module needs from bids and reviews, in one place (the interfaces of the issue-4
 * design). Until those modules land this file computes the same thing from the committed schema;
 * then its bodies become calls of their exported functions.
 */
export interface RankedBid {
  bidId: number;
  organizationId: number;
  organizationName: string;
  priceFen: number;
  submittedAt: string;
  sheets: number;
  scoreHundredths: number;
  rank: number;
  decidedBy: 'score' | 'price' | 'submission' | null;
}

export function scoringClosed(call: { scoring_closed_at?: string | null }): boolean {
  return !!call.scoring_closed_at;
}

interface Row {
  bid_id: number;
  organization_id: number;
  organization_name: string;
  price_fen: number;
  submitted_at: string;
  sheets: number | null;
  total: number | null;
}

/** Submitted bids of a call, best first: mean weighted score, then lower price, then earlier submission. */
export async function rankBids(db: Queryable, callId: number): Promise<RankedBid[]> {
  const criteria = db('call_criteria').where({ call_id: callId }).count({ n: '*' });
  // One sheet = one reviewer who scored every criterion of the bid: its weighted sum Σ score×weight.
  const sheets = db('review_scores as s')
    .join('call_criteria as c', 'c.id', 's.criterion_id')
    .join('bids as b', 'b.id', 's.bid_id')
    .where('b.call_id', callId)
    .groupBy('s.bid_id', 's.reviewer_id')
    .havingRaw('COUNT(*) = (?)', [criteria])
    .select('s.bid_id', db.raw('SUM(s.score * c.weight) as weighted'));
  const rows: Row[] = await db('bids as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .leftJoin(sheets.as('sh'), 'sh.bid_id', 'b.id')
    .where({ 'b.call_id': callId, 'b.status': 'submitted' })
    .groupBy('b.id', 'b.organization_id', 'o.name', 'b.price_fen', 'b.submitted_at')
    .select(
      'b.id as bid_id',
      'b.organization_id',
      'o.name as organization_name',
      'b.price_fen',
      'b.submitted_at',
      db.raw('COUNT(sh.bid_id) as sheets'),
      db.raw('SUM(sh.weighted) as total'),
    );
  const bids = rows.map((r) => ({ ...r, sheets: Number(r.sheets ?? 0), total: Number(r.total ?? 0), price_fen: Number(r.price_fen) }));
  // Exact comparison of total/sheets (times 100) by cross-multiplying; a bid without sheets scores 0.
  const byScore = (a: (typeof bids)[number], b: (typeof bids)[number]) => {
    const left = b.total * Math.max(a.sheets, 1);
    const right = a.total * Math.max(b.sheets, 1);
    return left - right;
  };
  bids.sort((a, b) => byScore(a, b) || a.price_fen - b.price_fen || a.submitted_at.localeCompare(b.submitted_at) || a.bid_id - b.bid_id);
  return bids.map((b, i) => {
    const next = bids[i + 1];
    let decidedBy: RankedBid['decidedBy'] = null;
    if (next) decidedBy = byScore(b, next) !== 0 ? 'score' : b.price_fen !== next.price_fen ? 'price' : b.submitted_at !== next.submitted_at ? 'submission' : null;
    const n = b.sheets;
    return {
      bidId: Number(b.bid_id),
      organizationId: Number(b.organization_id),
      organizationName: b.organization_name,
      priceFen: b.price_fen,
      submittedAt: b.submitted_at,
      sheets: n,
      scoreHundredths: n ? Math.floor((2 * b.total + n) / (2 * n)) : 0,
      rank: i + 1,
      decidedBy,
    };
  });
}

/** Organizations that submitted a bid on the call (those who may object to its award). */
export async function submittedBidderIds(db: Queryable, callId: number): Promise<number[]> {
  return [...new Set((await submittedBids(db, callId)).map((b) => b.organization_id))];
}
