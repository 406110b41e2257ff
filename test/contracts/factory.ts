import { systemActor } from '../../src/audit/audit';
import { confirmAward } from '../../src/modules/awards/service';
import { createContract } from '../../src/modules/contracts/service/drafting';
import { acceptContract, sendContract, signContract } from '../../src/modules/contracts/service/signing';
import type { SessionUser } from '../../src/modules/accounts/roles';
import type { TestContext } from '../helpers/app';
import { managerUser, proposedAward, type CallSpec, type ReadyCall } from '../awards/factory';

export interface FinalAward {
  call: ReadyCall;
  awardId: number;
  items: { id: number; bidId: number; amountFen: number }[];
  manager: SessionUser;
}

/** A call whose award is final (publicity passed, confirmed through the awards service, money committed). */
export async function finalAward(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  fields?: (call: ReadyCall) => Record<string, string>,
): Promise<FinalAward> {
  const { call, awardId } = await proposedAward(
    ctx,
    {
      sources: { fiscal: 20_000_000 },
      bids: [
        { priceFen: 10_000_001, scores: [[90, 90]] },
        { priceFen: 9_000_000, scores: [[70, 70]] },
      ],
      ...spec,
    },
    fields,
  );
  const award = await ctx.db('awards').where({ id: awardId }).first();
  const before = ctx.clock.now();
  ctx.clock.set(new Date(new Date(award.publicity_ends_at).getTime() + 1000));
  await confirmAward(ctx, systemActor, managerUser(call), awardId);
  ctx.clock.set(before);
  const items = (
    await ctx.db('award_items').where({ award_id: awardId }).orderBy('rank').select('id', 'bid_id', 'amount_fen')
  ).map((r) => ({ id: Number(r.id), bidId: Number(r.bid_id), amountFen: Number(r.amount_fen) }));
  return { call, awardId, items, manager: managerUser(call) };
}

/** The session user of a bidding organization's staff member. */
export function staffUser(call: ReadyCall, i = 0): SessionUser {
  const b = call.bids[i];
  return {
    id: b.staff.id,
    username: b.staff.username,
    displayName: b.staff.username,
    role: 'org_staff',
    streetOfficeId: null,
    streetOfficeName: null,
    organizationId: b.organizationId,
    organizationName: null,
    streetOfficeIds: [],
  };
}

/** A final award with a draft contract for its first item. */
export async function draftContract(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  before?: (award: FinalAward) => Promise<void>,
) {
  const award = await finalAward(ctx, spec);
  if (before) await before(award);
  const contractId = await createContract(ctx, systemActor, award.manager, award.awardId, award.items[0].id);
  return { ...award, contractId };
}

/** A signed (active) contract: drafted, sent, accepted by the winner's staff and signed. */
export async function signedContract(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  before?: (award: FinalAward) => Promise<void>,
) {
  const d = await draftContract(ctx, spec, before);
  await sendContract(ctx, systemActor, d.manager, d.contractId);
  await acceptContract(ctx, systemActor, staffUser(d.call), d.contractId);
  const sha256 = await signContract(ctx, systemActor, d.manager, d.contractId);
  return { ...d, sha256 };
}
