import type { Queryable } from '../../db/knex';
import type { CallRow } from './queries';

/**
 * Whether a published call may still be amended. The rule: the call is published and its deadline
 * has not passed; an amendment of substance (anything but a later deadline) also needs every
 * registered guard to agree. The bids module registers the guard "no bid exists yet" with
 * `registerAmendmentGuard` (see README.md), so this module never reads another module's tables.
 */
export type AmendmentGuard = (db: Queryable, callId: number) => Promise<string | null>;

const guards: AmendmentGuard[] = [];

/** A guard answers null (allowed) or the i18n key of the reason it refuses. */
export function registerAmendmentGuard(guard: AmendmentGuard): void {
  if (!guards.includes(guard)) guards.push(guard);
}

export type AmendmentDecision = { allowed: true } | { allowed: false; reasonKey: string };

export async function amendmentAllowed(
  db: Queryable,
  call: Pick<CallRow, 'id' | 'status' | 'closes_at'>,
  now: Date,
  opts: { deadlineExtensionOnly: boolean },
): Promise<AmendmentDecision> {
  if (call.status !== 'published') return { allowed: false, reasonKey: 'calls.errors.notPublished' };
  if (now.toISOString() >= call.closes_at) return { allowed: false, reasonKey: 'calls.errors.deadlinePassed' };
  if (opts.deadlineExtensionOnly) return { allowed: true };
  for (const guard of guards) {
    const reasonKey = await guard(db, call.id);
    if (reasonKey) return { allowed: false, reasonKey };
  }
  return { allowed: true };
}
