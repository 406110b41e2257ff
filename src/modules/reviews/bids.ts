import type { Queryable } from '../../db/knex';
import { findBid, findBidByRef, submittedBids as bidsModuleSubmittedBids } from '../bids';
import { findOrganization } from '../organizations';

// The review reads bids through the bids module's interface. (rankBids and the progress counts join
// the bids table inside their aggregate queries, so that they stay one query, not one per bid.)

/** A submitted bid as the review pages show it. */
export interface SubmittedBid {
  id: number;
  /** The public reference: pages, URLs and audit events show this, never the id. */
  ref: string;
  organizationId: number;
  organizationName: string;
  priceFen: number;
  matchingFundsFen: number;
  submittedAt: string;
}

/** Submitted bids of a call, oldest submission first. After the deadline only. */
export async function submittedBids(db: Queryable, callId: number): Promise<SubmittedBid[]> {
  const rows = await bidsModuleSubmittedBids(db, callId);
  return rows.map((b) => ({
    id: b.id,
    ref: b.ref,
    organizationId: b.organization_id,
    organizationName: b.organization_name,
    priceFen: b.price_fen,
    matchingFundsFen: b.matching_funds_fen,
    submittedAt: b.submitted_at,
  }));
}

export interface ReviewBid {
  id: number;
  ref: string;
  call_id: number;
  organization_id: number;
  organization_name: string;
  price_fen: number | null;
  matching_funds_fen: number;
  service_plan: string | null;
  staffing: string | null;
  schedule: string | null;
  expected_outcomes: string | null;
  submitted_at: string | null;
}

/** The id of the bid with this public reference (0 when there is none: then nothing is found). */
export async function bidIdForRef(db: Queryable, ref: unknown): Promise<number> {
  return (await findBidByRef(db, ref))?.id ?? 0;
}

/** A submitted bid of this call with its organization's name; anything else (another call's bid, a
 *  draft, a withdrawn bid, a forged id) is undefined, which the caller turns into a plain 404. */
export async function findSubmittedBid(db: Queryable, callId: number, bidId: number): Promise<ReviewBid | undefined> {
  const bid = await findBid(db, bidId);
  if (!bid || bid.call_id !== callId || bid.status !== 'submitted') return undefined;
  const org = await findOrganization(db, bid.organization_id);
  return {
    id: bid.id,
    ref: bid.ref,
    call_id: bid.call_id,
    organization_id: bid.organization_id,
    organization_name: org?.name ?? '',
    price_fen: bid.price_fen,
    matching_funds_fen: bid.matching_funds_fen,
    service_plan: bid.service_plan,
    staffing: bid.staffing,
    schedule: bid.schedule,
    expected_outcomes: bid.expected_outcomes,
    submitted_at: bid.submitted_at,
  };
}
