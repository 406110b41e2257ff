import { auditedTransaction, recordAudit, type Actor } from '../../../audit/audit';
import { commitSealedLog } from '../../../audit/sealed';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { notify, staffOf } from '../../notifications';
import { moveCall } from '../../calls';
import { submittedBids } from '../bids';
import { canRunReview } from '../policy';
import { lockCall, StillSealed, type Deps } from './common';

/** Opens the bids of a call after its deadline: published -> under_review, the bidders' staff are
 *  notified. Before the deadline (even by a second), twice, or on a call not published: 409. */
export async function openBids(deps: Deps, actor: Actor, user: SessionUser, callId: number) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canRunReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
    if (call.bids_opened_at) throw new InvalidState('reviews.errors.alreadyOpened');
    if (call.status === 'published' && call.closes_at > at) throw new StillSealed(call.closes_at);
    await moveCall(trx, callId, 'openBids', {
      set: { bids_opened_at: at, bids_opened_by: user.id, updated_at: at },
      where: (q) => q.where('closes_at', '<=', at).whereNull('bids_opened_at'),
      errorKey: 'reviews.errors.notPublished',
    });
    // One main-chain event commits to the call's sealed log (its bids' events before the deadline)
    // and the log becomes readable to those who may read the bids; none is written to it any more.
    const sealedLog = await commitSealedLog(
      trx,
      callId,
      (t, input) => recordAudit(t, actor, input, now),
      call.street_office_id,
    );
    const bids = await submittedBids(trx, callId);
    const staff = await staffOf(
      trx,
      bids.map((b) => b.organizationId),
    );
    await notify(
      trx,
      staff,
      {
        kind: 'bids.opened',
        messageKey: 'notifications.messages.bidsOpened',
        params: { call: call.title },
        link: `/calls/${callId}`,
        subjectType: 'call',
        subjectId: callId,
      },
      now,
    );
    return {
      result: bids,
      audit: {
        action: 'review.bids_opened',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: call.status },
        after: {
          status: 'under_review',
          sealedLog: { count: sealedLog.count, head: sealedLog.head },
          bids: bids.map((b) => ({
            ref: b.ref,
            organizationId: b.organizationId,
            priceFen: b.priceFen,
            submittedAt: b.submittedAt,
          })),
        },
      },
    };
  });
}
