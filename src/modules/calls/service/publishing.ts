import { auditedTransaction, type Actor } from '../../../audit/audit';
import { Forbidden, InvalidState } from '../../../web/errors';
import { moveCall } from '../lifecycle';
import type { SessionUser } from '../../accounts/roles';
import { itemState, methodsFromColumn } from '../../catalog';
import { reserveForCall } from '../../funds';
import { canManageCall } from '../policy';
import { callSources } from '../queries';
import { CallProblems, lockCall, type Deps } from './common';

/** Publishes a draft: reserves its budget from the fund sources in the same transaction. If any
 *  source cannot cover its amount, InsufficientFunds (422) names it and nothing is written. */
export async function publishCall(deps: Deps, actor: Actor, user: SessionUser, callId: number): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageCall(user, call)) throw new Forbidden();
    if (call.status !== 'draft') throw new InvalidState('calls.errors.notDraft');
    if (call.closes_at <= now.toISOString()) throw new CallProblems({ closesAt: { key: 'calls.errors.closesInPast' } });
    const item = await itemState(trx, call.catalog_item_id);
    if (!item || item.status !== 'active')
      throw new CallProblems({ catalogItemId: { key: 'calls.errors.itemRetired' } });
    if (!methodsFromColumn(item.methods).includes(call.method as never))
      throw new CallProblems({ method: { key: 'calls.errors.methodNotAllowed' } });
    const sources = await callSources(trx, callId);
    const amounts = sources.map((s) => ({ source: s.source, amountFen: s.amount_fen }));
    await reserveForCall(trx, {
      streetOfficeId: call.street_office_id,
      year: call.budget_year,
      callId,
      amounts,
      userId: user.id,
      now,
    });
    await moveCall(trx, callId, 'publish', {
      set: { published_at: now.toISOString(), updated_at: now.toISOString() },
      errorKey: 'calls.errors.notDraft',
    });
    return {
      result: undefined,
      audit: {
        action: 'call.publish',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: 'draft' },
        after: { status: 'published', budget_fen: Number(call.budget_fen), year: call.budget_year, reserved: amounts },
      },
    };
  });
}
