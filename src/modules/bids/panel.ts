import type { RequestHandler } from 'express';
import type { AppDeps } from '../../deps';
import type { Queryable } from '../../db/knex';
import type { SessionUser } from '../accounts/roles';
import { findCallRow, type CallRow } from '../calls';
import { canBid } from '../organizations';
import { biddingWindow, canListBids, type Window } from './policy';
import { activeBidOf, submittedBidCount, submittedBids, type BidStatus, type SubmittedBid } from './queries';

/**
 * What the call page shows about bids (views/bids/_call_panel.ejs). Before the deadline: only the
 * viewing organization's own bid, and nothing at all to anyone else (not even a count). After it:
 * the street office's managers, the administrator and the street's auditors see the submitted
 * bids — the count until the manager opens them in review, then the list with links.
 */
export type BidPanel =
  | {
      kind: 'organization';
      callId: number;
      window: Window;
      opensAt: string;
      closesAt: string;
      bid: { ref: string; status: BidStatus } | null;
      blocked: 'notApproved' | 'excluded' | null;
      exclusionReason: string | null;
    }
  | { kind: 'count'; count: number }
  | { kind: 'list'; bids: SubmittedBid[] };

type PanelCall = Pick<CallRow, 'id' | 'status' | 'street_office_id' | 'opens_at' | 'closes_at'> & {
  bids_opened_at?: string | null;
};

export async function bidPanelFor(
  db: Queryable,
  user: SessionUser | undefined,
  call: PanelCall,
  now: Date,
): Promise<BidPanel | null> {
  if (!user || call.status === 'draft') return null;
  if (user.role === 'org_staff' && user.organizationId) {
    const [bid, org, exclusion] = await Promise.all([
      activeBidOf(db, call.id, user.organizationId),
      db('organizations').where({ id: user.organizationId }).first('status'),
      db('street_office_exclusions')
        .where({ street_office_id: call.street_office_id, organization_id: user.organizationId })
        .first('reason'),
    ]);
    const blocked = !org || !canBid(org) ? 'notApproved' : exclusion ? 'excluded' : null;
    return {
      kind: 'organization',
      callId: call.id,
      window: biddingWindow(call, now),
      opensAt: call.opens_at,
      closesAt: call.closes_at,
      bid: bid ? { ref: bid.ref, status: bid.status } : null,
      blocked,
      exclusionReason: exclusion?.reason ?? null,
    };
  }
  if (!canListBids(user, call, now)) return null;
  if (!call.bids_opened_at) return { kind: 'count', count: await submittedBidCount(db, call.id) };
  return { kind: 'list', bids: await submittedBids(db, call.id) };
}

/** Sets res.locals.bidPanel for the call page (GET /calls/:id), which the calls module renders;
 *  a middleware, so the calls module needs no change beyond including the partial. */
export function bidPanelLocals(deps: AppDeps): RequestHandler {
  return async (req, res, next) => {
    const m = req.method === 'GET' ? /^\/calls\/(\d{1,9})\/?$/.exec(req.path) : null;
    if (m && req.user) {
      const call = await findCallRow(deps.db, Number(m[1]));
      if (call) res.locals.bidPanel = await bidPanelFor(deps.db, req.user, call, deps.clock.now());
    }
    next();
  };
}
