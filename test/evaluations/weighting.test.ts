import {
  gradeOf,
  paymentConsequence,
  starsOf,
  weightedScore,
  type Source,
} from '../../src/modules/evaluations/weighting';

const W = { self: 10, manager: 30, peer: 20, citizen: 20, third_party: 20 } as Record<Source, number>;

describe('weighted score against a table (hundredths, exact, rounded half up)', () => {
  it.each([
    // all five: (8000·10 + 9000·30 + 7000·20 + 9000·20 + 9500·20) / 100 = 860000 / 100 = 8600
    ['all five sources', { self: 8000, manager: 9000, peer: 7000, citizen: 9000, third_party: 9500 }, W, 8600, []],
    // citizen round below the minimum (absent): 8000·10 + 9000·30 + 7000·20 + 9500·20 = 680000 / 80 = 8500
    ['citizens missing', { self: 8000, manager: 9000, peer: 7000, third_party: 9500 }, W, 8500, ['citizen']],
    // only self and manager: (8850·10 + 7333·30) / 40 = 308490 / 40 = 7712.25 -> 7712
    ['only self and manager', { self: 8850, manager: 7333 }, W, 7712, ['peer', 'citizen', 'third_party']],
    // half up: (8001·10 + 8000·30)/40 = 8000.25 -> 8000; (8002·10+8000·30)/40 = 8000.5 -> 8001
    ['rounds a quarter down', { self: 8001, manager: 8000 }, W, 8000, ['peer', 'citizen', 'third_party']],
    ['rounds a half up', { self: 8002, manager: 8000 }, W, 8001, ['peer', 'citizen', 'third_party']],
    // thirds: weights 10/20 -> (10000·10 + 0·20)/30 = 3333.33 -> 3333
    ['thirds', { self: 10000, manager: 0 }, { ...W, manager: 20 }, 3333, ['peer', 'citizen', 'third_party']],
  ])('%s', (_name, scores, weights, total, missing) => {
    const r = weightedScore(scores, weights)!;
    expect(r.total).toBe(total);
    expect(r.missing).toEqual(missing);
    expect(r.used.reduce((s, u) => s + u.usedWeight, 0)).toBeGreaterThanOrEqual(9999);
  });

  it('shows the renormalized weights: self 10 and manager 30 become 25% and 75%', () => {
    expect(weightedScore({ self: 8000, manager: 9000 }, W)!.used).toEqual([
      { source: 'self', score: 8000, weight: 10, usedWeight: 2500 },
      { source: 'manager', score: 9000, weight: 30, usedWeight: 7500 },
    ]);
  });

  it('has nothing to close on without a weighted score; a weight-0 source counts as missing', () => {
    expect(weightedScore({}, W)).toBeUndefined();
    expect(weightedScore({ self: 9000 }, { ...W, self: 0 })).toBeUndefined();
    expect(weightedScore({ self: 9000, manager: 5000 }, { ...W, self: 0 })!.total).toBe(5000);
  });
});

it.each([
  [10000, 'excellent', 5],
  [9000, 'excellent', 5],
  [8999, 'good', 4],
  [8000, 'good', 4],
  [7999, 'pass', 3],
  [7000, 'pass', 3],
  [6999, 'pass', 2],
  [6000, 'pass', 2],
  [5999, 'fail', 1],
  [0, 'fail', 1],
])('%i hundredths: grade %s, %i stars', (total, grade, stars) => {
  expect(gradeOf(total)).toBe(grade);
  expect(starsOf(total)).toBe(stars);
});

describe('the payment consequence, as the contract words it', () => {
  it.each([
    // amount, score (hundredths), pass, rule, floor, kind, payable fen
    [4_800_000, 7000, 70, 'pro_rata', 60, 'full', 4_800_000],
    [4_800_000, 6500, 70, 'pro_rata', 60, 'partial', 2_400_000],
    // 4,800,001 × 333 / 1000 = 1,598,400.333 -> 1,598,400 (rounded down to the fen)
    [4_800_001, 6333, 70, 'pro_rata', 60, 'partial', 1_598_400],
    [4_800_000, 6000, 70, 'pro_rata', 60, 'withheld', 0],
    [4_800_000, 6999, 70, 'none', null, 'withheld', 0],
  ] as const)('%i fen at %i: %s', (amount, total, pass, rule, floor, kind, payable) => {
    expect(paymentConsequence(amount, total, pass, rule, floor)).toEqual({ kind, payableFen: payable });
  });
});
