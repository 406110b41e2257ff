import type { CallRow } from './queries';

/**
 * Whether a published call may still be amended. The rule is "only while no bid exists, or
 * by extending the deadline". Asking the bids table would tell the manager, before the deadline,
 * that someone has bid (a refusal is information), which the sealed-bid rule forbids. So the rule
 * is stated in time instead: no bid can exist before bidding opens (opens_at), so amendments of
 * substance are allowed until then; from then on only a later deadline, until the deadline.
 */
export type AmendmentDecision = { allowed: true } | { allowed: false; reasonKey: string };

export function amendmentAllowed(
  call: Pick<CallRow, 'status' | 'opens_at' | 'closes_at'>,
  now: Date,
  opts: { deadlineExtensionOnly: boolean },
): AmendmentDecision {
  const at = now.toISOString();
  if (call.status !== 'published') return { allowed: false, reasonKey: 'calls.errors.notPublished' };
  if (at >= call.closes_at) return { allowed: false, reasonKey: 'calls.errors.deadlinePassed' };
  if (opts.deadlineExtensionOnly) return { allowed: true };
  if (at >= call.opens_at) return { allowed: false, reasonKey: 'calls.errors.biddingOpen' };
  return { allowed: true };
}
