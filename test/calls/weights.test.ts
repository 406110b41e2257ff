import { DEFAULT_EVALUATION_WEIGHTS, readCriteria, weightProblem, parseWeight } from '../../src/modules/calls/weights';

describe('weights', () => {
  it('accept whole numbers 0..100 that sum to exactly 100', () => {
    expect(weightProblem([40, 30, 30])).toBeNull();
    expect(weightProblem([100])).toBeNull();
    expect(weightProblem([0, 100, 0])).toBeNull();
    expect(weightProblem(Object.values(DEFAULT_EVALUATION_WEIGHTS))).toBeNull();
  });

  it('refuse a sum other than 100, fractions, out-of-range values and an empty list', () => {
    expect(weightProblem([40, 30, 29])).toBe('sum');
    expect(weightProblem([50, 51])).toBe('sum');
    expect(weightProblem([50.5, 49.5])).toBe('notInteger');
    expect(weightProblem([150, -50])).toBe('outOfRange');
    expect(weightProblem([])).toBe('empty');
  });

  it('read only plain digits as a weight', () => {
    expect(parseWeight('30')).toBe(30);
    expect(parseWeight(' 7 ')).toBe(7);
    for (const bad of ['', '3.5', '-1', 'abc', '1e2', '1000', undefined, ['30']]) expect(parseWeight(bad)).toBeNaN();
  });

  it('read criteria rows, ignoring blank ones and naming the row that is half filled', () => {
    expect(
      readCriteria([
        { name: '方案', weight: '60' },
        { name: '', weight: '' },
        { name: '报价', weight: '40' },
      ]),
    ).toEqual({
      ok: true,
      criteria: [
        { name: '方案', weight: 60 },
        { name: '报价', weight: 40 },
      ],
    });
    expect(readCriteria([{ name: '方案', weight: '' }])).toEqual({ ok: false, problem: 'incompleteRow', row: 1 });
    expect(
      readCriteria([
        { name: '方案', weight: '60' },
        { name: '报价', weight: '30' },
      ]),
    ).toMatchObject({ ok: false, problem: 'sum', sum: 90 });
    expect(readCriteria([{ name: '', weight: '' }])).toMatchObject({ ok: false, problem: 'empty' });
    expect(readCriteria([{ name: '方案', weight: '60.5' }])).toMatchObject({
      ok: false,
      problem: 'notInteger',
      row: 1,
    });
  });
});
