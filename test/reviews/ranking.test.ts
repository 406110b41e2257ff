import { createTestContext, type TestContext } from '../helpers/app';
import {
  compareBids,
  rankBids,
  rankScored,
  roundedMean,
  scoringClosed,
  type ScoredBid,
} from '../../src/modules/reviews';
import { declareDirect, reviewCall, sheetDirect, submittedBid, underReview } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const bid = (over: Partial<ScoredBid>): ScoredBid => ({
  bidId: 1,
  bidRef: 'ref',
  organizationId: 1,
  organizationName: 'x',
  priceFen: 100,
  submittedAt: '2026-01-01T00:00:00.000Z',
  sheets: 1,
  weightedSum: 8000,
  ...over,
});

describe('rankScored (pure)', () => {
  it('compares means exactly by cross-multiplying, even when they show the same two decimals', () => {
    // 24001 / 3 = 8000.33… and 16000 / 2 = 8000: both show 80.00, the first is higher.
    const ranked = rankScored([
      bid({ bidId: 2, sheets: 2, weightedSum: 16000 }),
      bid({ bidId: 1, sheets: 3, weightedSum: 24001, priceFen: 999 }),
    ]);
    expect(ranked.map((r) => [r.bidId, r.scoreHundredths, r.decidedBy])).toEqual([
      [1, 8000, 'score'],
      [2, 8000, null],
    ]);
  });

  it('rounds the mean half up', () => {
    expect(roundedMean(17155, 2)).toBe(8578);
    expect(roundedMean(17154, 2)).toBe(8577);
    expect(roundedMean(0, 0)).toBe(0);
  });

  it('ranks a bid nobody scored after every scored bid', () => {
    const ranked = rankScored([
      bid({ bidId: 1, sheets: 0, weightedSum: 0, priceFen: 1 }),
      bid({ bidId: 2, sheets: 1, weightedSum: 0 }),
    ]);
    expect(ranked.map((r) => r.bidId)).toEqual([2, 1]);
    expect(ranked[0].decidedBy).toBe('score');
  });

  it('orders a complete tie by bid number and says no rule decided it', () => {
    expect(compareBids(bid({ bidId: 3 }), bid({ bidId: 4 }))).toEqual({ order: -1, rule: null });
  });
});

describe('rankBids', () => {
  it('ranks by mean weighted score over complete, conflict-free sheets; ties by lower price, then earlier submission', async () => {
    const f = await reviewCall(ctx, { criteria: [55, 45] });
    const [r1, r2, r3, affiliatedReviewer, removed] = await Promise.all([
      ctx.make.user('reviewer'),
      ctx.make.user('reviewer'),
      ctx.make.user('reviewer'),
      ctx.make.user('reviewer'),
      ctx.make.user('reviewer'),
    ]);
    const top = await submittedBid(ctx, f.callId, { priceFen: 9_000_000, submittedAt: '2026-01-05T00:00:00.000Z' });
    const cheap = await submittedBid(ctx, f.callId, { priceFen: 4_000_000, submittedAt: '2026-01-06T00:00:00.000Z' });
    const dear = await submittedBid(ctx, f.callId, { priceFen: 5_000_000, submittedAt: '2026-01-03T00:00:00.000Z' });
    const early = await submittedBid(ctx, f.callId, { priceFen: 6_000_000, submittedAt: '2026-01-02T00:00:00.000Z' });
    const late = await submittedBid(ctx, f.callId, { priceFen: 6_000_000, submittedAt: '2026-01-04T00:00:00.000Z' });
    const unscored = await submittedBid(ctx, f.callId, { priceFen: 1_000_000 });
    const withdrawn = await submittedBid(ctx, f.callId, { status: 'withdrawn' });
    await ctx.db('users').where({ id: affiliatedReviewer.id }).update({ organization_id: top.organizationId });
    await underReview(ctx, f.callId, [r1.id, r2.id, r3.id, affiliatedReviewer.id]);

    const all = [top, cheap, dear, early, late, withdrawn];
    for (const r of [r1, r2]) for (const b of all) await declareDirect(ctx, f.callId, r.id, b.id);
    // top: 90/80 and 91/80 -> sheets 8550 and 8605 -> mean 85.775 -> 85.78
    await sheetDirect(ctx, f, r1.id, top.id, [90, 80]);
    await sheetDirect(ctx, f, r2.id, top.id, [91, 80]);
    // cheap and dear tie exactly at 70.00 (one sheet each from r1 and r2 averaged): price decides.
    for (const b of [cheap, dear, early, late]) {
      await sheetDirect(ctx, f, r1.id, b.id, [70, 70]);
      await sheetDirect(ctx, f, r2.id, b.id, [70, 70]);
    }
    // Sheets that must not count: a declared conflict, an affiliated reviewer, an incomplete sheet,
    // a reviewer taken off the panel, and the withdrawn bid.
    await declareDirect(ctx, f.callId, r3.id, top.id, true);
    await sheetDirect(ctx, f, r3.id, top.id, [0, 0]);
    await declareDirect(ctx, f.callId, affiliatedReviewer.id, top.id);
    await sheetDirect(ctx, f, affiliatedReviewer.id, top.id, [100, 100]);
    await declareDirect(ctx, f.callId, r3.id, cheap.id);
    await ctx.db('review_scores').insert({
      bid_id: cheap.id,
      reviewer_id: r3.id,
      criterion_id: f.criteria[0].id,
      score: 0,
      comment: null,
      created_at: 'x',
      updated_at: 'x',
    });
    await declareDirect(ctx, f.callId, removed.id, dear.id);
    await sheetDirect(ctx, f, removed.id, dear.id, [100, 100]);
    await sheetDirect(ctx, f, r1.id, withdrawn.id, [100, 100]);

    const ranking = await rankBids(ctx.db, f.callId);
    expect(
      ranking.map((r) => ({
        id: r.bidId,
        rank: r.rank,
        score: r.scoreHundredths,
        sheets: r.sheets,
        decidedBy: r.decidedBy,
      })),
    ).toEqual([
      { id: top.id, rank: 1, score: 8578, sheets: 2, decidedBy: 'score' },
      { id: cheap.id, rank: 2, score: 7000, sheets: 2, decidedBy: 'price' },
      { id: dear.id, rank: 3, score: 7000, sheets: 2, decidedBy: 'price' },
      { id: early.id, rank: 4, score: 7000, sheets: 2, decidedBy: 'submission' },
      { id: late.id, rank: 5, score: 7000, sheets: 2, decidedBy: 'score' },
      { id: unscored.id, rank: 6, score: 0, sheets: 0, decidedBy: null },
    ]);
    expect(ranking[0]).toMatchObject({
      organizationId: top.organizationId,
      priceFen: 9_000_000,
      submittedAt: '2026-01-05T00:00:00.000Z',
    });
  });

  it('returns an empty ranking for a call without bids', async () => {
    const f = await reviewCall(ctx);
    expect(await rankBids(ctx.db, f.callId)).toEqual([]);
  });

  it('says scoring is closed once scoring_closed_at is set', () => {
    expect(scoringClosed({ scoring_closed_at: null })).toBe(false);
    expect(scoringClosed({ scoring_closed_at: '2026-11-25T02:00:00.000Z' })).toBe(true);
  });
});
