import { fenToInput, formatMoney, growthBasisPoints, parseMoney } from '../../src/shared/money';

describe('money', () => {
  it('formats integer fen as yuan with separators', () => {
    expect(formatMoney(123456)).toBe('¥1,234.56');
    expect(formatMoney(200000000)).toBe('¥2,000,000.00');
    expect(formatMoney(5)).toBe('¥0.05');
    expect(formatMoney(-123456)).toBe('-¥1,234.56');
  });

  it('refuses to format a value that is not whole fen, and formats totals beyond 2^53', () => {
    expect(() => formatMoney(1.5)).toThrow();
    expect(formatMoney(2 ** 60)).toBe('¥11,529,215,046,068,469.76');
  });

  it('parses amounts typed with separators, a yuan sign or fewer decimals', () => {
    expect(parseMoney('1,234.56')).toEqual({ ok: true, fen: 123456 });
    expect(parseMoney('¥1234.5')).toEqual({ ok: true, fen: 123450 });
    expect(parseMoney(' 2000000 ')).toEqual({ ok: true, fen: 200000000 });
    expect(parseMoney('0.01')).toEqual({ ok: true, fen: 1 });
  });

  it('parses 0.1 + 0.2 style amounts exactly, without floating point', () => {
    expect(parseMoney('0.29')).toEqual({ ok: true, fen: 29 });
    expect(parseMoney('1.15')).toEqual({ ok: true, fen: 115 });
  });

  it('says what is wrong with an amount it refuses', () => {
    expect(parseMoney('')).toEqual({ ok: false, error: 'required' });
    expect(parseMoney('-5')).toEqual({ ok: false, error: 'negative' });
    expect(parseMoney('1.234')).toEqual({ ok: false, error: 'tooManyDecimals' });
    expect(parseMoney('abc')).toEqual({ ok: false, error: 'notNumber' });
    expect(parseMoney('1e5')).toEqual({ ok: false, error: 'notNumber' });
    expect(parseMoney(['1'])).toEqual({ ok: false, error: 'notNumber' });
    expect(parseMoney('99999999999999999999')).toEqual({ ok: false, error: 'tooLarge' });
    expect(parseMoney('10000000000.01')).toEqual({ ok: false, error: 'tooLarge' });
    expect(parseMoney('10000000000')).toEqual({ ok: true, fen: 1_000_000_000_000 });
  });

  it('shows fen back in an input as yuan', () => {
    expect(fenToInput(123456)).toBe('1234.56');
    expect(fenToInput(7)).toBe('0.07');
  });
});

describe('growthBasisPoints', () => {
  it('rounds half away from zero in integers, and is null without a previous year', () => {
    expect(growthBasisPoints(250_000_000, 210_000_000)).toBe(1905); // 19.0476…%
    expect(growthBasisPoints(120, 100)).toBe(2000);
    expect(growthBasisPoints(100_005, 100_000)).toBe(1); // 0.005% -> 0.01%
    expect(growthBasisPoints(100_004, 100_000)).toBe(0);
    expect(growthBasisPoints(25, 100)).toBe(-7500);
    expect(growthBasisPoints(210_000_000, 250_000_000)).toBe(-1600);
    expect(growthBasisPoints(1, 3)).toBe(-6667); // -66.666…%
    expect(growthBasisPoints(100, 0)).toBeNull();
    expect(growthBasisPoints(100, null)).toBeNull();
  });
});
