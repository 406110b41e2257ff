import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { streetYearBalances } from '../../src/modules/funds';
import { agentFor, proposedAward } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
afterEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const START = '2026-11-25T02:00:00.000Z';
const afterPublicity = async (awardId: number, ms = 0) => {
  const a = await ctx.db('awards').where({ id: awardId }).first();
  ctx.clock.set(new Date(new Date(a.publicity_ends_at).getTime() + ms));
};

async function confirm(agent: Agent, awardId: number, token?: string) {
  return agent
    .post(`/awards/${awardId}/confirmation`)
    .type('form')
    .send({ _csrf: token ?? (await csrfFrom(agent, '/dashboard')) });
}

const venture = {
  venture: true,
  sources: { fiscal: 600_001, lottery: 300_000, donation: 99_999 },
  spareFen: 50_000,
  capFen: 500_000,
  bids: [
    {
      priceFen: 400_000,
      scores: [
        [90, 90],
        [88, 92],
      ],
    },
    {
      priceFen: 333_333,
      scores: [
        [80, 80],
        [81, 79],
      ],
    },
    {
      priceFen: 300_000,
      scores: [
        [60, 70],
        [65, 65],
      ],
    },
  ],
};
const ventureFields = (call: { bids: { bidRef: string }[] }) => ({
  [`select_${call.bids[0].bidRef}`]: '1',
  [`amount_${call.bids[0].bidRef}`]: '4000',
  [`select_${call.bids[1].bidRef}`]: '1',
  [`amount_${call.bids[1].bidRef}`]: '3333.33',
});

describe('confirming an award (303)', () => {
  it('makes it final, the call awarded, commits the awarded amount across the sources and releases the rest', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    const before = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    expect(before.total.reservedFen).toBe(1_000_000);
    await afterPublicity(awardId);
    const manager = await agentFor(ctx, call.manager);
    const page = await manager.get(`/awards/${awardId}`);
    expect(page.text).toContain(`/awards/${awardId}/confirmation`);
    const res = await confirm(manager, awardId);
    expect(res.status).toBe(303);
    expect(await ctx.db('awards').where({ id: awardId }).first()).toMatchObject({
      status: 'final',
      final_at: ctx.clock.now().toISOString(),
    });
    expect((await ctx.db('calls').where({ id: call.callId }).first()).status).toBe('awarded');

    // 733,333 fen split 600,001 : 300,000 : 99,999 of 1,000,000 by largest remainder.
    const after = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    expect(after.total.committedFen).toBe(733_333);
    expect(after.total.reservedFen).toBe(0);
    expect(
      after.bySource.fiscal.committedFen + after.bySource.lottery.committedFen + after.bySource.donation.committedFen,
    ).toBe(733_333);
    // exact shares 440,000.53 / 219,999.90 / 73,332.57: floors leave 2 fen, to the two largest remainders.
    expect(after.bySource.fiscal.committedFen).toBe(440_000);
    expect(after.bySource.lottery.committedFen).toBe(220_000);
    expect(after.bySource.donation.committedFen).toBe(73_333);
    expect(after.total.availableFen).toBe(before.total.availableFen + (1_000_000 - 733_333));
    const entries = await ctx
      .db('fund_entries')
      .where({ call_id: call.callId })
      .groupBy('kind')
      .select('kind', ctx.db.raw('SUM(amount_fen) as total'));
    expect(Object.fromEntries(entries.map((e) => [e.kind, Number(e.total)]))).toEqual({
      reservation: 1_000_000,
      commitment: 733_333,
      reservation_release: 266_667,
    });
    expect(await ctx.db('audit_events').where({ action: 'award.finalize', subject_id: String(awardId) })).toHaveLength(
      1,
    );

    const pub = await request(ctx.app).get(`/awards/${awardId}`);
    expect(pub.text).toContain('已确定');
  });

  it('tells the winners it is final and each other bidder only its own score and rank', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, (c) => ({
      [`select_${c.bids[0].bidRef}`]: '1',
      [`amount_${c.bids[0].bidRef}`]: '4000',
    }));
    await afterPublicity(awardId, 1);
    await confirm(await agentFor(ctx, call.manager), awardId);
    const rows = await ctx
      .db('notifications')
      .where({ subject_type: 'award', subject_id: String(awardId) })
      .whereIn('kind', ['award.final', 'bid.result'])
      .orderBy('user_id');
    const byUser = new Map(rows.map((r) => [Number(r.user_id), r]));
    expect(rows).toHaveLength(3);
    expect(byUser.get(call.bids[0].staff.id)!.kind).toBe('award.final');
    expect(JSON.parse(byUser.get(call.bids[1].staff.id)!.params_json)).toMatchObject({ rank: 2, score: '80.10' });
    expect(JSON.parse(byUser.get(call.bids[2].staff.id)!.params_json)).toMatchObject({ rank: 3, score: '64.50' });
    // The bidder reads its own message in its own words.
    const loser = await agentFor(ctx, call.bids[2].staff);
    const list = await loser.get('/notifications');
    expect(list.text).toContain('得分 64.50，排名第 3');
    expect(list.text).not.toContain('80.10');
  });
});

describe('refusals (409/403/404)', () => {
  it('refuses confirming during publicity, even a second before its end, with the end time', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    const manager = await agentFor(ctx, call.manager);
    const early = await confirm(manager, awardId);
    expect(early.status).toBe(409);
    expect(early.text).toContain('期满后方可确定结果');
    await afterPublicity(awardId, -1000);
    const late = await confirm(await agentFor(ctx, call.manager), awardId);
    expect(late.status).toBe(409);
    expect((await ctx.db('awards').where({ id: awardId }).first()).status).toBe('proposed');
    expect((await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).total.committedFen).toBe(0);
  });

  it('refuses confirming while an objection is open', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    await ctx.db('objections').insert({
      award_id: awardId,
      call_id: call.callId,
      organization_id: call.bids[2].organizationId,
      reasons: '质疑',
      status: 'open',
      lodged_by: call.bids[2].staff.id,
      lodged_at: START,
    });
    await afterPublicity(awardId);
    const res = await confirm(await agentFor(ctx, call.manager), awardId);
    expect(res.status).toBe(409);
    expect(res.text).toContain('还有质疑未答复');
  });

  it('refuses a second confirmation (409), a manager of another street (403), other roles (403), an unknown award (404)', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    await afterPublicity(awardId);
    const other = await loginAs(ctx, 'manager');
    expect((await confirm(other.agent, awardId)).status).toBe(403);
    const staff = await agentFor(ctx, call.bids[0].staff);
    expect((await confirm(staff, awardId)).status).toBe(403);
    const manager = await agentFor(ctx, call.manager);
    expect((await confirm(manager, 999999)).status).toBe(404);
    expect((await confirm(manager, awardId)).status).toBe(303);
    const again = await confirm(manager, awardId);
    expect(again.status).toBe(409);
    expect(again.text).toContain('已经确定');
  });

  it('refuses confirming a withdrawn award', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    await ctx.db('awards').where({ id: awardId }).update({ status: 'withdrawn' });
    await afterPublicity(awardId);
    expect((await confirm(await agentFor(ctx, call.manager), awardId)).status).toBe(409);
  });
});

describe('two concurrent confirmations', () => {
  it('produce one final award and one commitment', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, ventureFields);
    await afterPublicity(awardId);
    const a = await agentFor(ctx, call.manager);
    const b = await agentFor(ctx, call.manager);
    const [ta, tb] = [await csrfFrom(a, '/dashboard'), await csrfFrom(b, '/dashboard')];
    const results = await Promise.all([confirm(a, awardId, ta), confirm(b, awardId, tb)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await ctx.db('awards').where({ call_id: call.callId, status: 'final' })).toHaveLength(1);
    const commitments = await ctx
      .db('fund_entries')
      .where({ call_id: call.callId, kind: 'commitment' })
      .sum({ total: 'amount_fen' })
      .first();
    expect(Number(commitments!.total)).toBe(733_333);
    expect((await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).total.committedFen).toBe(733_333);
    expect(await ctx.db('audit_events').where({ action: 'award.finalize', subject_id: String(awardId) })).toHaveLength(
      1,
    );
    expect(await ctx.db('notifications').where({ kind: 'award.final', subject_id: String(awardId) })).toHaveLength(2);
  });
});
