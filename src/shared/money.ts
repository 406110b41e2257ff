/** Money is integer fen (分) everywhere. This file holds the one formatter and the one parser. */

export type MoneyParseError = 'required' | 'notNumber' | 'negative' | 'tooManyDecimals' | 'tooLarge';
export type MoneyParseResult = { ok: true; fen: number } | { ok: false; error: MoneyParseError };

// ¥10 billion in one amount: far beyond any street budget, and small enough that thousands of
// such amounts still sum exactly inside Number.MAX_SAFE_INTEGER fen.
export const MAX_FEN = 1_000_000_000_000;

/** "1,234.56", "¥1234.5", "1234" -> fen. Refuses negatives, more than two decimals and non-numbers. */
export function parseMoney(input: unknown): MoneyParseResult {
  if (typeof input !== 'string' && typeof input !== 'number') return { ok: false, error: 'notNumber' };
  const text = String(input).trim().replace(/^[¥￥]\s*/, '').replace(/,/g, '');
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
