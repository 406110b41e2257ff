import { auditedTransaction, type Actor } from '../../../audit/audit';
import { transition } from '../../../db/transition';
import { InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { findBid } from '../queries';
import { assertWindow, lockCall, ownBid, bidEvent, type Deps } from './common';

/** Withdraws a draft or a submitted bid before the deadline; the organization may then start anew. */
export async function withdrawBid(deps: Deps, actor: Actor, user: SessionUser, bidId: number): Promise<void> {
  await ownBid(deps, user, bidId);
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const current = (await findBid(trx, bidId))!;
    const call = await lockCall(trx, current.call_id);
    assertWindow(call, deps.clock.now());
    const bid = (await findBid(trx, bidId, true))!;
    if (bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
    const at = now.toISOString();
    await transition(trx, {
      table: 'bids',
      id: bidId,
      from: bid.status,
      to: 'withdrawn',
      set: { withdrawn_at: at, updated_by: user.id, updated_at: at },
      errorKey: 'bids.errors.changedMeanwhile',
    });
    return { result: undefined, audit: bidEvent('bid.withdraw', bid, { status: bid.status }, { status: 'withdrawn' }) };
  });
}
