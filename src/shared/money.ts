/** Money is integer fen (分) everywhere. This file holds the one formatter and the one parser. */

export type MoneyParseError = 'required' | 'notNumber' | 'negative' | 'tooManyDecimals' | 'tooLarge';
export type MoneyParseResult = { ok: true; fen: number } | { ok: false; error: MoneyParseError };

// ¥10 billion in one amount: far beyond any street budget, and small enough that thousands of
// such amounts still sum exactly inside Number.MAX_SAFE_INTEGER fen.
export const MAX_FEN = 1_000_000_000_000;

/** "1,234.56", "¥1234.5", "1234" -> fen. Refuses negatives, more than two decimals and non-numbers. */
export function parseMoney(input: unknown): MoneyParseResult {
  if (typeof input !== 'string' && typeof input !== 'number') return { ok: false, error: 'notNumber' };
  const text = String(input)
    .trim()
    .replace(/^[¥￥]\s*/, '')
    .replace(/,/g, '');
  if (text === '') return { ok: false, error: 'required' };
  if (text.startsWith('-')) return { ok: false, error: 'negative' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return { ok: false, error: 'notNumber' };
  const decimals = m[2] ?? '';
  if (decimals.length > 2) return { ok: false, error: 'tooManyDecimals' };
  if (m[1].length > 13) return { ok: false, error: 'tooLarge' };
  const fen = Number(m[1]) * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen) || fen > MAX_FEN) return { ok: false, error: 'tooLarge' };
  return { ok: true, fen };
}

/** 123456 -> "¥1,234.56"; negatives (reversing entries) as "-¥1,234.56". */
export function formatMoney(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  if (!Number.isInteger(fen)) throw new Error(`money must be integer fen, got ${fen}`);
  // BigInt so that even a total beyond 2^53 (which no single input can reach) shows rather than fails.
  const sign = fen < 0 ? '-' : '';
  const abs = BigInt(Math.abs(fen));
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}¥${yuan}.${cents}`;
}

/** fen -> "1234.56" for re-showing in an input. */
export function fenToInput(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

const CAPITAL_DIGITS = '零壹贰叁肆伍陆柒捌玖';
const CAPITAL_POSITIONS = ['', '拾', '佰', '仟'];
const CAPITAL_GROUPS = ['', '万', '亿', '万亿'];

/** Whole yuan in capitals, groups of four digits (个/万/亿/万亿), one 零 for any run of zeros between digits. */
function yuanInCapitals(yuan: number): string {
  const digits = String(yuan);
  const groupCount = Math.ceil(digits.length / 4);
  const padded = digits.padStart(groupCount * 4, '0');
  let out = '';
  let pendingZero = false;
  for (let g = 0; g < groupCount; g++) {
    const group = padded.slice(g * 4, g * 4 + 4);
    if (group === '0000') {
      if (out) pendingZero = true;
      continue;
    }
    for (let i = 0; i < 4; i++) {
      const d = Number(group[i]);
      if (d === 0) {
        if (out) pendingZero = true;
        continue;
      }
      if (pendingZero) out += '零';
      pendingZero = false;
      out += CAPITAL_DIGITS[d] + CAPITAL_POSITIONS[3 - i];
    }
    out += CAPITAL_GROUPS[groupCount - 1 - g];
  }
  return out;
}

/**
 * The amount in Chinese capital numerals (大写金额) as banks and contracts write it, without the
 * 人民币 prefix: 20000000 fen -> "贰拾万元整", 10505 -> "壹佰零伍元零伍分", 10 -> "壹角整".
 * 整 follows 元 or 角, never 分; a zero between digits is written once (零); a zero 角 between
 * yuan and 分 is written 零. Zero is "零元整".
 */
export function amountInChineseCapitals(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`amount must be non-negative integer fen, got ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor((fen % 100) / 10);
  const fenDigit = fen % 10;
  if (yuan === 0 && jiao === 0 && fenDigit === 0) return '零元整';
  let out = yuan > 0 ? `${yuanInCapitals(yuan)}元` : '';
  if (jiao === 0 && fenDigit === 0) return `${out}整`;
  if (jiao > 0) out += `${CAPITAL_DIGITS[jiao]}角`;
  else if (yuan > 0) out += '零';
  if (fenDigit === 0) return `${out}整`;
  return `${out}${CAPITAL_DIGITS[fenDigit]}分`;
}

/** Growth of a year on the previous one in basis points (hundredths of a percent), rounded half away
 *  from zero in integers: 2,100,000 -> 2,500,000 is +1905 (19.0476…% shown as +19.05%). Null when
 *  there was nothing the year before. Amounts in fen stay far below 2^53 / 20000. */
export function growthBasisPoints(current: number, previous: number | null): number | null {
  if (previous === null || previous <= 0) return null;
  const diff = Math.abs(current - previous);
  const bp = Math.floor((diff * 20000 + previous) / (2 * previous));
  return current < previous ? -bp : bp;
}
