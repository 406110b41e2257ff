import { auditedTransaction, type Actor } from '../../../audit/audit';
import { returnedId } from '../../../db/knex';
import { isUniqueViolation } from '../../../db/errors';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { moveCall } from '../../calls';
import { notify, staffOf } from '../../notifications';
import { canManageAward } from '../policy';
import { readProposal } from '../proposal';
import { rankBids, scoringClosed, submittedBidderIds } from '../ranking';
import { DAY_MS, lockCall, ProposalProblems, type Deps, type ReviewedCall } from './common';

/** Why the call cannot take a proposal now (409), or null. */
export function proposalRefusal(call: ReviewedCall): string | null {
  if (call.status !== 'under_review') return 'awards.errors.notUnderReview';
  if (!scoringClosed(call)) return 'awards.errors.scoringOpen';
  return null;
}

/**
 * The manager proposes the award of a call whose scoring is closed (under_review -> publicity): the
 * chosen bids with their amounts, the written reasons for skipped higher-ranked bids, and the
 * ranking as it stands (the published scores summary). The publicity period starts now. Two
 * proposals racing: the call row is locked on PostgreSQL, its status is changed conditionally, and
 * the partial unique index awards_one_standing_per_call has the last word.
 */
export async function proposeAward(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  body: unknown,
): Promise<number> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const work = auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageAward(user, call)) throw new Forbidden('awards.errors.notYourCall');
    const refusal = proposalRefusal(call);
    if (refusal) throw new InvalidState(refusal);
    const ranking = await rankBids(trx, callId);
    const { proposal, problems } = readProposal(
      body,
      {
        method: call.method,
        budget_fen: Number(call.budget_fen),
        per_project_cap_fen: call.per_project_cap_fen === null ? null : Number(call.per_project_cap_fen),
      },
      ranking,
    );
    if (Object.keys(problems).length) throw new ProposalProblems(problems);

    const publicityEndsAt = new Date(now.getTime() + Number(call.publicity_days) * DAY_MS).toISOString();
    const [inserted] = await trx('awards')
      .insert({
        call_id: callId,
        status: 'proposed',
        proposed_by: user.id,
        proposed_at: at,
        publicity_ends_at: publicityEndsAt,
      })
      .returning('id');
    const awardId = returnedId(inserted);
    await trx('award_items').insert(
      proposal.items.map((i) => ({ award_id: awardId, bid_id: i.bidId, rank: i.rank, amount_fen: i.amountFen })),
    );
    if (proposal.skips.length)
      await trx('award_skips').insert(
        proposal.skips.map((s) => ({ award_id: awardId, bid_id: s.bidId, reason: s.reason })),
      );
    if (ranking.length) {
      await trx('award_rankings').insert(
        ranking.map((r) => ({
          award_id: awardId,
          bid_id: r.bidId,
          organization_id: r.organizationId,
          price_fen: r.priceFen,
          sheets: r.sheets,
          score_hundredths: r.scoreHundredths,
          rank: r.rank,
          decided_by: r.decidedBy,
        })),
      );
    }
    await moveCall(trx, callId, 'proposeAward', {
      set: { updated_at: at },
      where: (q) => q.whereNotNull('scoring_closed_at'),
      errorKey: 'awards.errors.notUnderReview',
    });

    const bidders = await staffOf(trx, await submittedBidderIds(trx, callId));
    await notify(
      trx,
      bidders,
      {
        kind: 'award.proposed',
        messageKey: 'notifications.messages.awardProposed',
        params: { call: call.title },
        link: `/awards/${awardId}`,
        subjectType: 'award',
        subjectId: awardId,
      },
      now,
    );
    return {
      result: awardId,
      audit: {
        action: 'award.propose',
        subjectType: 'award',
        subjectId: awardId,
        streetOfficeId: call.street_office_id,
        before: { call_status: call.status },
        after: {
          call_id: callId,
          call_status: 'publicity',
          publicity_ends_at: publicityEndsAt,
          items: proposal.items.map((i) => ({ bid: i.bidRef, rank: i.rank, amountFen: i.amountFen })),
          skips: proposal.skips.map((k) => ({ bid: k.bidRef, reason: k.reason })),
        },
      },
    };
  });
  return work.catch((err) => {
    if (isUniqueViolation(err)) throw new InvalidState('awards.errors.alreadyProposed');
    throw err;
  });
}
