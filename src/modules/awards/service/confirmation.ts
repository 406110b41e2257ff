import { auditedTransaction, type Actor } from '../../../audit/audit';
import { formatDateTime } from '../../../shared/time';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { callSources, moveCall } from '../../calls';
import { moveAward } from '../lifecycle';
import { commitAwardItems, releaseCallReservation } from '../../funds';
import { notify, staffOf } from '../../notifications';
import { canManageAward } from '../policy';
import { awardRanking, openObjectionCount } from '../queries';
import { formatHundredths } from '../ranking';
import { splitByShares, splitMatrix } from '../../../shared/split';
import { lockCall, lockedAward, type Deps } from './common';

/**
 * After the publicity period, with no objection open, the manager confirms the award: it becomes
 * final (proposed -> final, conditional, on the locked row: of two confirmations one wins and the
 * other is told it is already final), the call becomes awarded, the awarded amount moves from
 * reserved to committed across the call's fund sources (largest remainder, exact to the fen) and
 * the rest of the reservation is released, all in this one transaction. Winners are told the award
 * is final; every other bidder is told their own score and rank.
 */
export async function confirmAward(deps: Deps, actor: Actor, user: SessionUser, awardId: number): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const award = await lockedAward(trx, awardId);
    const call = await lockCall(trx, award.call_id);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    if (award.status === 'final') throw new InvalidState('awards.errors.alreadyFinal');
    if (award.status !== 'proposed') throw new InvalidState('awards.errors.notInPublicity');
    if (at < award.publicity_ends_at)
      throw new InvalidState('awards.errors.publicityRunning', { at: formatDateTime(award.publicity_ends_at) });
    if ((await openObjectionCount(trx, awardId)) > 0) throw new InvalidState('awards.errors.openObjections');

    await moveAward(trx, awardId, 'confirm', {
      set: { finalized_by: user.id, final_at: at },
      errorKey: 'awards.errors.alreadyFinal',
    });
    await moveCall(trx, call.id, 'confirmAward', { set: { updated_at: at }, errorKey: 'awards.errors.notInPublicity' });

    const ranking = await awardRanking(trx, awardId);
    // The awarded total is split over the call's sources (largest remainder), then the items × sources
    // matrix (splitMatrix) so that each item's row adds up to its amount and each source's column to
    // its part, to the fen: each award item (each future contract) holds its own money.
    const items: { id: number; amount_fen: number }[] = await trx('award_items')
      .where({ award_id: awardId })
      .orderBy([{ column: 'rank' }, { column: 'id' }])
      .select('id', 'amount_fen');
    const totalFen = items.reduce((s, i) => s + Number(i.amount_fen), 0);
    const shares = (await callSources(trx, call.id)).map((s) => ({
      source: s.source,
      amountFen: Number(s.amount_fen),
    }));
    const amounts = splitByShares(totalFen, shares);
    const matrix = splitMatrix(
      items.map((i) => Number(i.amount_fen)),
      amounts.map((a) => a.amountFen),
    );
    const perItem = items.map((item, r) => ({
      awardItemId: Number(item.id),
      amounts: amounts.map((a, c) => ({ source: a.source, amountFen: matrix[r][c] })).filter((a) => a.amountFen > 0),
    }));
    await commitAwardItems(trx, { callId: call.id, items: perItem, userId: user.id, now });
    await releaseCallReservation(trx, { callId: call.id, userId: user.id, now });

    const winners = ranking.filter((r) => r.amount_fen !== null);
    await notify(
      trx,
      await staffOf(
        trx,
        winners.map((w) => w.organization_id),
      ),
      {
        kind: 'award.final',
        messageKey: 'notifications.messages.awardFinal',
        params: { call: call.title },
        link: `/awards/${awardId}`,
        subjectType: 'award',
        subjectId: awardId,
      },
      now,
    );
    const others = ranking.filter((r) => r.amount_fen === null);
    const staff = await trx('users')
      .whereIn(
        'organization_id',
        others.map((o) => o.organization_id),
      )
      .where({ role: 'org_staff' })
      .whereNull('disabled_at')
      .select('id', 'organization_id');
    // Each bidder is told only its own score and rank: one message per organization.
    for (const bid of others) {
      const readers = staff
        .filter((u: { organization_id: number }) => Number(u.organization_id) === bid.organization_id)
        .map((u: { id: number }) => Number(u.id));
      await notify(
        trx,
        readers,
        {
          kind: 'bid.result',
          messageKey: 'notifications.messages.bidResult',
          params: { call: call.title, score: formatHundredths(bid.score_hundredths), rank: bid.rank },
          link: `/awards/${awardId}`,
          subjectType: 'award',
          subjectId: awardId,
        },
        now,
      );
    }
    return {
      result: undefined,
      audit: {
        action: 'award.finalize',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        before: { status: 'proposed', call_status: 'publicity' },
        after: {
          status: 'final',
          call_status: 'awarded',
          committed: amounts,
          total_fen: totalFen,
          items: perItem.map((i) => ({ award_item_id: i.awardItemId, committed: i.amounts })),
        },
      },
    };
  });
}
