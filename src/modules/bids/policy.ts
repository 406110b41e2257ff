import type { Queryable } from '../../db/knex';
import type { SessionUser } from '../accounts/roles';
import { type CallRow } from '../calls';
import { isSealed, type BidRow } from './queries';

type CallTimes = Pick<CallRow, 'status' | 'opens_at' | 'closes_at'>;

/** Whether bids can be made or changed now: a published call between its opening and closing
 *  times. The server clock decides; one second after closes_at is too late. */
export type Window = 'open' | 'notYetOpen' | 'closed' | 'notOpen';
export function biddingWindow(call: CallTimes, now: Date): Window {
  const at = now.toISOString();
  if (at >= call.closes_at) return 'closed';
  if (call.status !== 'published') return 'notOpen';
  if (at < call.opens_at) return 'notYetOpen';
  return 'open';
}

export const isOwnBid = (user: SessionUser, bid: Pick<BidRow, 'organization_id'>) =>
  user.role === 'org_staff' && user.organizationId !== null && user.organizationId === bid.organization_id;

/**
 * Who may read a bid (its page and files). The bidding organization's own staff, always. Anyone
 * else only a SUBMITTED bid and only after the deadline: the managers of the call's street office,
 * the administrator, auditors assigned to that street, and reviewers assigned to the call who have
 * declared no conflict with this bid. Everyone refused gets the same 404 as a bid that does not exist.
 */
export async function canReadBid(
  db: Queryable,
  user: SessionUser,
  bid: BidRow,
  call: Pick<CallRow, 'id' | 'street_office_id' | 'closes_at'>,
  now: Date,
): Promise<boolean> {
  if (user.role === 'org_staff') return isOwnBid(user, bid);
  if (isSealed(call, now) || bid.status !== 'submitted') return false;
  switch (user.role) {
    case 'admin':
      return true;
    case 'manager':
      return user.streetOfficeId === call.street_office_id;
    case 'auditor':
      return user.streetOfficeIds.includes(call.street_office_id);
    case 'reviewer': {
      const row = await db('call_reviewers as r')
        .join('conflict_declarations as d', function () {
          this.on('d.call_id', 'r.call_id').andOn('d.reviewer_id', 'r.reviewer_id');
        })
        .where({ 'r.call_id': call.id, 'r.reviewer_id': user.id, 'd.bid_id': bid.id, 'd.has_conflict': false })
        .first('d.id');
      return !!row;
    }
    default:
      return false;
  }
}

/** Readers of the list of submitted bids on the call page, after the deadline. Reviewers get theirs
 *  from the reviews module; organizations see only their own. */
export function canListBids(
  user: SessionUser | undefined,
  call: Pick<CallRow, 'street_office_id' | 'closes_at'>,
  now: Date,
): boolean {
  if (!user || isSealed(call, now)) return false;
  if (user.role === 'admin') return true;
  if (user.role === 'manager') return user.streetOfficeId === call.street_office_id;
  if (user.role === 'auditor') return user.streetOfficeIds.includes(call.street_office_id);
  return false;
}

/** Exclusions are kept by the managers of a street office for their own street office. */
export const canKeepExclusions = (user: SessionUser) => user.role === 'manager' && user.streetOfficeId !== null;
