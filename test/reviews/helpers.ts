import type { TestContext } from '../helpers/app';
import { loginAs, signIn, type Agent } from '../helpers/http';
import { reviewCall, submittedBid, type ReviewFixture } from './factory';

export interface Scenario {
  f: ReviewFixture;
  manager: { agent: Agent; user: { id: number } };
  orgA: number;
  orgB: number;
  staffA: number;
  staffB: number;
  bidA: number;
  bidB: number;
}

/** A street office with its manager, a call closed an hour ago, two organizations (with staff)
 *  that submitted bids, and a third with only a draft. */
export async function scenario(ctx: TestContext, opts: { closesAt?: string } = {}): Promise<Scenario> {
  const f = await reviewCall(ctx, opts);
  const manager = await loginAs(ctx, 'manager', { street_office_id: f.streetOfficeId });
  const [orgA, orgB, orgC] = await Promise.all([
    ctx.make.organization(),
    ctx.make.organization(),
    ctx.make.organization(),
  ]);
  const [staffA, staffB, staffC] = await Promise.all([
    ctx.make.user('org_staff', { organization_id: orgA.id }),
    ctx.make.user('org_staff', { organization_id: orgB.id }),
    ctx.make.user('org_staff', { organization_id: orgC.id }),
  ]);
  void staffC;
  const bidA = await submittedBid(ctx, f.callId, {
    organizationId: orgA.id,
    priceFen: 4_000_000,
    submittedAt: '2026-01-03T00:00:00.000Z',
  });
  const bidB = await submittedBid(ctx, f.callId, {
    organizationId: orgB.id,
    priceFen: 5_000_000,
    submittedAt: '2026-01-02T00:00:00.000Z',
  });
  await submittedBid(ctx, f.callId, { organizationId: orgC.id, status: 'draft' });
  return {
    f,
    manager,
    orgA: orgA.id,
    orgB: orgB.id,
    staffA: staffA.id,
    staffB: staffB.id,
    bidA: bidA.id,
    bidB: bidB.id,
  };
}

export async function reviewerAgent(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  const user = await ctx.make.user('reviewer', overrides);
  return { user, agent: await signIn(ctx, user.username) };
}

export const count = async (ctx: TestContext, table: string, where: Record<string, unknown> = {}) =>
  Number((await ctx.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);
export const audits = (ctx: TestContext, action: string) => count(ctx, 'audit_events', { action });

/** A bid's public reference: URLs carry it, never the id. */
export async function refOf(ctx: TestContext, bidId: number): Promise<string> {
  return (await ctx.db('bids').where({ id: bidId }).first('ref')).ref;
}
