import { splitByShares } from '../../src/modules/awards/split';

describe('splitByShares (largest remainder, exact to the fen)', () => {
  it('splits in proportion and the parts add up to the total', () => {
    const parts = splitByShares(100, [
      { source: 'fiscal', amountFen: 1 },
      { source: 'lottery', amountFen: 1 },
      { source: 'donation', amountFen: 1 },
    ]);
    expect(parts).toEqual([
      { source: 'fiscal', amountFen: 34 },
      { source: 'lottery', amountFen: 33 },
      { source: 'donation', amountFen: 33 },
    ]);
  });

  it('gives the leftover fen to the largest remainders', () => {
    // 10 of 2:5:3 -> 2, 5, 3 exactly; 7 of 2:5:3 -> 1.4, 3.5, 2.1 -> 1, 4, 2
    expect(
      splitByShares(7, [
        { source: 'fiscal', amountFen: 2 },
        { source: 'lottery', amountFen: 5 },
        { source: 'donation', amountFen: 3 },
      ]).map((p) => p.amountFen),
    ).toEqual([1, 4, 2]);
  });

  it('is exact for amounts whose products pass 2^53, and for the whole pool', () => {
    const shares = [
      { source: 'fiscal' as const, amountFen: 7_000_000_000_001 },
      { source: 'lottery' as const, amountFen: 2_999_999_999_999 },
    ];
    const total = 9_999_999_999_999;
    const parts = splitByShares(total, shares);
    expect(parts.reduce((s, p) => s + p.amountFen, 0)).toBe(total);
    expect(splitByShares(10_000_000_000_000, shares).map((p) => p.amountFen)).toEqual([
      7_000_000_000_001, 2_999_999_999_999,
    ]);
  });

  it('leaves out sources whose share rounds to nothing, and splits 0 into nothing', () => {
    expect(
      splitByShares(1, [
        { source: 'fiscal', amountFen: 99 },
        { source: 'donation', amountFen: 1 },
      ]),
    ).toEqual([{ source: 'fiscal', amountFen: 1 }]);
    expect(splitByShares(0, [{ source: 'fiscal', amountFen: 5 }])).toEqual([]);
  });
});
