import { auditedTransaction, type Actor } from '../../../audit/audit';
import { Forbidden, InvalidState } from '../../../web/errors';
import { moveCall } from '../lifecycle';
import type { SessionUser } from '../../accounts/roles';
import { releaseCallReservation } from '../../funds';
import { canManageCall } from '../policy';
import { lockCall, notifyBidders, type Deps } from './common';

/** Cancels a draft or a published call; a published call's reservation is released in the same transaction. */
export async function cancelCall(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageCall(user, call)) throw new Forbidden();
    if (call.status !== 'draft' && call.status !== 'published') throw new InvalidState('calls.errors.notCancellable');
    if (call.status === 'published') await releaseCallReservation(trx, { callId, userId: user.id, now });
    // Still in the state read above: the reservation released (or not) depends on it.
    await moveCall(trx, callId, 'cancel', {
      set: { cancelled_at: now.toISOString(), cancel_reason: reason, updated_at: now.toISOString() },
      where: (q) => q.where('status', call.status),
      errorKey: 'calls.errors.notCancellable',
    });
    if (call.status === 'published') await notifyBidders(trx, callId, call.title, now);
    return {
      result: undefined,
      audit: {
        action: 'call.cancel',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: call.status },
        after: { status: 'cancelled', reason, released: call.status === 'published' },
      },
    };
  });
}
