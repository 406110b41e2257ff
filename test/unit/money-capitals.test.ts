import fc from 'fast-check';
import { amountInChineseCapitals, MAX_FEN, parseMoney } from '../../src/shared/money';

/** Reads capitals back into fen, independently of the writer, so that the property below can fail. */
function readCapitals(text: string): number {
  const digits = '零壹贰叁肆伍陆柒捌玖';
  const positions: Record<string, number> = { 拾: 10, 佰: 100, 仟: 1000 };
  const [yuanPart, rest] = text.includes('元') ? text.split('元') : ['', text];
  let total = 0;
  let section = 0;
  let digit = 0;
  let i = 0;
  while (i < yuanPart.length) {
    const c = yuanPart[i];
    if (digits.includes(c)) digit = digits.indexOf(c);
    else if (positions[c]) {
      section += digit * positions[c];
      digit = 0;
    } else if (c === '万' && yuanPart[i + 1] === '亿') {
      total += (section + digit) * 1e12;
      section = digit = 0;
      i++;
    } else if (c === '万') {
      total += (section + digit) * 1e4;
      section = digit = 0;
    } else if (c === '亿') {
      total = (total + section + digit) * 1e8;
      section = digit = 0;
    } else throw new Error(`unexpected ${c} in ${text}`);
    i++;
  }
  total += section + digit;
  let fen = total * 100;
  const jiao = /([壹贰叁肆伍陆柒捌玖])角/.exec(rest);
  const fenMatch = /([壹贰叁肆伍陆柒捌玖])分/.exec(rest);
  if (jiao) fen += digits.indexOf(jiao[1]) * 10;
  if (fenMatch) fen += digits.indexOf(fenMatch[1]);
  return fen;
}

const yuan = (text: string) => {
  const r = parseMoney(text);
  if (!r.ok) throw new Error(text);
  return r.fen;
};

describe('amountInChineseCapitals (banking rule: 整 after 元 or 角, never after 分)', () => {
  it.each([
    ['0.01', '壹分'],
    ['0.10', '壹角整'],
    ['0.11', '壹角壹分'],
    ['10', '壹拾元整'],
    ['105.05', '壹佰零伍元零伍分'],
    ['100000', '壹拾万元整'],
    ['200000', '贰拾万元整'],
    ['1000010.50', '壹佰万零壹拾元伍角整'],
    ['200000000', '贰亿元整'],
    ['1000000001', '壹拾亿零壹元整'],
    ['0', '零元整'],
    ['10.05', '壹拾元零伍分'],
    ['1001', '壹仟零壹元整'],
    ['1010', '壹仟零壹拾元整'],
    ['100100', '壹拾万零壹佰元整'],
    ['10001000', '壹仟万零壹仟元整'],
    ['100000000.99', '壹亿元玖角玖分'],
    ['123456789.12', '壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分'],
    ['10000000000', '壹佰亿元整'],
  ])('%s yuan -> %s', (amount, capitals) => {
    expect(amountInChineseCapitals(yuan(amount))).toBe(capitals);
  });

  it('refuses what is not whole non-negative fen', () => {
    expect(() => amountInChineseCapitals(-1)).toThrow();
    expect(() => amountInChineseCapitals(1.5)).toThrow();
    expect(() => amountInChineseCapitals(Number.NaN)).toThrow();
  });

  it('never writes two 零 in a row, ends in 整 or 分 (整 never after 分), and reads back to the same fen', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: MAX_FEN }), fc.integer({ min: 0, max: 100_000 })), (fen) => {
        const text = amountInChineseCapitals(fen);
        expect(text).not.toMatch(/零零/);
        expect(text).toMatch(/(整|分)$/);
        expect(text).not.toMatch(/分整/);
        expect(text.endsWith('整')).toBe(fen % 10 === 0);
        if (fen > 0) expect(text).not.toMatch(/^零/);
        expect(readCapitals(text)).toBe(fen);
      }),
      { numRuns: 2000 },
    );
  });
});
