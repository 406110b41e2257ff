import {
  maxAdvanceFen,
  mf,
  parsePercent,
  percentToFen,
  readTerms,
  termsToValues,
} from '../../src/modules/contracts/terms';
import { fenToInput } from '../../src/shared/money';

const weights = { self: 10, manager: 30, peer: 10, citizen: 20, third_party: 30 };
const ctx = { amountFen: 10_000_001, maxAdvancePercent: 30, callWeights: weights };

function body(rows: Record<string, string>[], extra: Record<string, string> = {}) {
  const b: Record<string, string> = {
    periodStart: '2027-01-01',
    periodEnd: '2027-12-31',
    servicePlan: '服务方案',
    rows: String(rows.length),
    ...extra,
  };
  rows.forEach((r, k) => {
    for (const [name, v] of Object.entries({ title: `节点${k + 1}`, due: '2027-06-30', pass: '60', ...r }))
      b[mf(k + 1, name)] = v;
  });
  return b;
}

describe('milestone shares', () => {
  it('splits ¥100,000.01 in three equal percents by largest remainder, to the fen', () => {
    expect(percentToFen(10_000_001, [3333, 3333, 3334])).toEqual([3_333_000, 3_333_000, 3_334_001]);
    const equal = percentToFen(10_000_001, [3333, 3334, 3333]);
    expect(equal.reduce((a, b) => a + b, 0)).toBe(10_000_001);
  });

  it('refuses 33.33% × 3 (99.99%) and names the sum', () => {
    const { problems } = readTerms(
      body([{ share: '33.33' }, { share: '33.33' }, { share: '33.33' }], { shareUnit: 'percent' }),
      ctx,
    );
    expect(problems.milestones).toEqual({ key: 'contracts.errors.percentSum', params: { sum: '99.99' } });
  });

  it('accepts 33.33 / 33.33 / 33.34 and sums to the contract amount exactly', () => {
    const { terms, problems } = readTerms(
      body([{ share: '33.33' }, { share: '33.33' }, { share: '33.34' }], { shareUnit: 'percent' }),
      ctx,
    );
    expect(problems).toEqual({});
    expect(terms.milestones.map((m) => m.amountFen)).toEqual([3_333_000, 3_333_000, 3_334_001]);
  });

  it('in yuan: ¥100,000.01 as 33,333.34 + 33,333.34 + 33,333.33 passes, a fen short is refused', () => {
    expect(
      readTerms(body([{ share: '33333.34' }, { share: '33333.34' }, { share: '33333.33' }]), ctx).problems,
    ).toEqual({});
    const { problems } = readTerms(body([{ share: '33333.33' }, { share: '33333.34' }, { share: '33333.33' }]), ctx);
    expect(problems.milestones.key).toBe('contracts.errors.yuanSum');
    expect(problems.milestones.params).toEqual({ sum: '¥100,000.00', amount: '¥100,000.01' });
  });

  it('refuses a milestone of zero, in yuan or percent, naming the row; also a percent that rounds to no fen', () => {
    const yuan = readTerms(body([{ share: '100000.01' }, { share: '0' }]), ctx).problems;
    expect(yuan[mf(2, 'share')]).toEqual({ key: 'contracts.errors.sharePositive', params: { row: 2 } });
    expect(readTerms(body([{ share: '100000.01' }, { share: '0.00' }]), ctx).problems[mf(2, 'share')]?.key).toBe(
      'contracts.errors.sharePositive',
    );
    const pct = readTerms(body([{ share: '100' }, { share: '0' }], { shareUnit: 'percent' }), ctx).problems;
    expect(pct[mf(2, 'share')]).toEqual({ key: 'contracts.errors.sharePositive', params: { row: 2 } });
    const tiny = readTerms(body([{ share: '99.99' }, { share: '0.01' }], { shareUnit: 'percent' }), {
      ...ctx,
      amountFen: 50,
    }).problems;
    expect(tiny[mf(2, 'share')]).toEqual({ key: 'contracts.errors.sharePositive', params: { row: 2 } });
  });

  it('refuses a percent with three decimals', () => {
    expect(parsePercent('33.333')).toEqual({ ok: false, key: 'contracts.errors.percentDecimals' });
    const { problems } = readTerms(body([{ share: '33.333' }, { share: '66.667' }], { shareUnit: 'percent' }), ctx);
    expect(problems[mf(1, 'share')].key).toBe('contracts.errors.percentDecimals');
  });
});

describe('milestone rules', () => {
  const ok = { share: '100000.01' };
  it('refuses a due date outside the period, naming it', () => {
    const { problems } = readTerms(body([{ ...ok, due: '2028-01-01' }]), ctx);
    expect(problems[mf(1, 'due')]).toEqual({
      key: 'contracts.errors.dueOutsidePeriod',
      params: { row: 1, start: '2027-01-01', end: '2027-12-31' },
    });
  });
  it('refuses a pass score outside 0–100 and a floor not below it', () => {
    expect(readTerms(body([{ ...ok, pass: '101' }]), ctx).problems[mf(1, 'pass')].key).toBe(
      'contracts.errors.passScore',
    );
    expect(readTerms(body([{ ...ok, pass: '-1' }]), ctx).problems[mf(1, 'pass')].key).toBe(
      'contracts.errors.passScore',
    );
    expect(readTerms(body([{ ...ok, rule: 'pro_rata', floor: '60' }]), ctx).problems[mf(1, 'floor')].key).toBe(
      'contracts.errors.floorBelowPass',
    );
    const { terms, problems } = readTerms(body([{ ...ok, rule: 'pro_rata', floor: '40', pass: '80' }]), ctx);
    expect(problems).toEqual({});
    expect(terms.milestones[0]).toMatchObject({ partialRule: 'pro_rata', floorScore: 40, passScore: 80 });
  });
  it('refuses weights not summing to 100 and inherits the call weights when blank', () => {
    const { problems } = readTerms(
      body([{ ...ok, w_self: '20', w_manager: '20', w_peer: '20', w_citizen: '20', w_third_party: '19' }]),
      ctx,
    );
    expect(problems[mf(1, 'weights')]).toEqual({ key: 'contracts.errors.weightsSum', params: { row: 1, sum: 99 } });
    expect(readTerms(body([ok]), ctx).terms.milestones[0].weights).toEqual(weights);
  });
  it('allows an advance only first and only up to the call share', () => {
    expect(maxAdvanceFen(10_000_001, 30)).toBe(3_000_000);
    const fine = readTerms(body([{ share: '30000', advance: '1', pass: '' }, { share: '70000.01' }]), ctx);
    expect(fine.problems).toEqual({});
    expect(fine.terms.milestones[0]).toMatchObject({ advance: true, passScore: null });
    expect(
      readTerms(body([{ share: '30000.01', advance: '1' }, { share: '70000' }]), ctx).problems[mf(1, 'share')].key,
    ).toBe('contracts.errors.advanceTooLarge');
    expect(
      readTerms(body([{ share: '30000' }, { share: '70000.01', advance: '1' }]), ctx).problems[mf(2, 'advance')].key,
    ).toBe('contracts.errors.advanceFirst');
    expect(
      readTerms(body([{ share: '30000', advance: '1' }, { share: '70000.01' }]), { ...ctx, maxAdvancePercent: 0 })
        .problems[mf(1, 'advance')].key,
    ).toBe('contracts.errors.advanceOff');
  });
  it('drops removed and blank rows and orders by the order field', () => {
    const b = body([
      { share: '1', order: '3', title: 'C' },
      { share: '99999', order: '1', title: 'A' },
      { share: '5', remove: '1' },
      { share: '0.01', order: '2', title: 'B' },
    ]);
    b.rows = '5';
    const { terms, problems } = readTerms(b, ctx);
    expect(problems).toEqual({});
    expect(terms.milestones.map((m) => [m.seq, m.title])).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
    ]);
  });
  it('round-trips saved terms through the form values', () => {
    const { terms } = readTerms(
      body([
        { share: '30000', advance: '1' },
        { share: '70000.01', rule: 'pro_rata', floor: '50' },
      ]),
      ctx,
    );
    expect(readTerms(termsToValues(terms, fenToInput), ctx).terms).toEqual(terms);
  });
});

describe('the signing window', () => {
  const { signingWindow, signingDeadline } = jest.requireActual('../../src/modules/contracts/window');
  it('counts days left from the final award and flags an unsigned contract once overdue', () => {
    const deadline = signingDeadline('2026-11-01T02:00:00.000Z');
    expect(deadline).toBe('2026-12-01T02:00:00.000Z');
    expect(
      signingWindow({ status: 'sent', signing_deadline: deadline }, new Date('2026-11-01T02:00:00.000Z')),
    ).toMatchObject({ daysLeft: 30, overdue: false, open: true });
    expect(
      signingWindow({ status: 'sent', signing_deadline: deadline }, new Date('2026-12-01T14:00:00.000Z')),
    ).toMatchObject({ overdue: true, overdueDays: 1 });
    expect(
      signingWindow({ status: 'active', signing_deadline: deadline }, new Date('2026-12-10T00:00:00.000Z')),
    ).toMatchObject({ overdue: false, open: false });
  });
});
