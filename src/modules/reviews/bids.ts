import type { Queryable } from '../../db/knex';

// Reads of submitted bids the review needs. They mirror the bids module's exported interface
// (submittedBids, findBid); while that module is not committed the review reads the bids table
// here, in this one file, so switching to `../bids` is a one-file change.

export interface SubmittedBid {
  id: number;
  organizationId: number;
  organizationName: string;
  priceFen: number;
  matchingFundsFen: number;
  submittedAt: string;
}

export interface ReviewBid {
  id: number;
  call_id: number;
  organization_id: number;
  organization_name: string;
  status: string;
  price_fen: number | null;
  matching_funds_fen: number;
  service_plan: string | null;
  staffing: string | null;
  schedule: string | null;
  expected_outcomes: string | null;
  submitted_at: string | null;
}

/** Submitted bids of a call, oldest submission first. After the deadline only. */
export async function submittedBids(db: Queryable, callId: number): Promise<SubmittedBid[]> {
  const rows = await db('bids as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where({ 'b.call_id': callId, 'b.status': 'submitted' })
    .orderBy('b.submitted_at')
    .orderBy('b.id')
    .select('b.id', 'b.organization_id', 'o.name as organization_name', 'b.price_fen', 'b.matching_funds_fen', 'b.submitted_at');
  return rows.map((r) => ({
    id: Number(r.id),
    organizationId: Number(r.organization_id),
    organizationName: r.organization_name,
    priceFen: Number(r.price_fen),
    matchingFundsFen: Number(r.matching_funds_fen),
    submittedAt: r.submitted_at,
  }));
}

/** A submitted bid of this call with its organization's name; anything else (another call's bid, a
 *  draft, a withdrawn bid, a forged id) is undefined, which the caller turns into a plain 404. */
export async function findSubmittedBid(db: Queryable, callId: number, bidId: number): Promise<ReviewBid | undefined> {
  if (!Number.isSafeInteger(bidId) || bidId <= 0) return undefined;
  const row = await db('bids as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where({ 'b.id': bidId, 'b.call_id': callId, 'b.status': 'submitted' })
    .first('b.id', 'b.call_id', 'b.organization_id', 'o.name as organization_name', 'b.status', 'b.price_fen', 'b.matching_funds_fen', 'b.service_plan', 'b.staffing', 'b.schedule', 'b.expected_outcomes', 'b.submitted_at');
  if (!row) return undefined;
  return { ...row, id: Number(row.id), call_id: Number(row.call_id), organization_id: Number(row.organization_id), price_fen: row.price_fen === null ? null : Number(row.price_fen), matching_funds_fen: Number(row.matching_funds_fen) };
}
