import type { SessionUser } from '../accounts/roles';
import type { ReviewCall } from './queries';

// Named checks on (user, call) and (reviewer, bid). Anything not named here is refused.

type Call = Pick<ReviewCall, 'street_office_id' | 'status' | 'scoring_closed_at' | 'bids_opened_at'>;

/** Opening bids, the panel and closing scoring: a manager of the call's own street office. */
export const canRunReview = (user: SessionUser, call: Pick<ReviewCall, 'street_office_id'>) =>
  user.role === 'manager' && user.streetOfficeId !== null && user.streetOfficeId === call.street_office_id;

/** The review overview and the ranking, read-only or not: the street's managers, the district
 *  administrator, and auditors assigned to the street. */
export const canOverseeReview = (user: SessionUser, call: Pick<ReviewCall, 'street_office_id'>) =>
  canRunReview(user, call) ||
  user.role === 'admin' ||
  (user.role === 'auditor' && user.streetOfficeIds.includes(call.street_office_id));

/** Scoring is open from the opening of the bids until the manager closes it (an upheld objection
 *  sets it open again). Panel changes, declarations and scores happen only then. */
export const scoringOpen = (call: Pick<Call, 'status' | 'scoring_closed_at'>) =>
  call.status === 'under_review' && !call.scoring_closed_at;

/** A reviewer sees the ranking (everyone's sheets) only once scoring is closed; until then each
 *  reviewer sees their own sheets alone. */
export const reviewerMaySeeRanking = (call: Pick<Call, 'scoring_closed_at'>) => !!call.scoring_closed_at;

/** A reviewer who belongs to the bidding organization never scores its bid. */
export const isAffiliated = (reviewer: { organization_id: number | null }, bid: { organization_id: number }) =>
  reviewer.organization_id !== null && Number(reviewer.organization_id) === Number(bid.organization_id);
