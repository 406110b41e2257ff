/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
 * alphabet (no I, O, S, V, Z); the 18th is a check character computed from the first 17.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = 'length' | 'characters' | 'checkCharacter';

/** The check character for 17 characters; undefined when they are not from the alphabet. */
export function creditCodeCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) return undefined;
    sum += v * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** Normalises (trim, upper case) and checks a code; says what is wrong with it. */
export function checkCreditCode(
  input: string,
): { ok: true; code: string } | { ok: false; problem: CreditCodeProblem; expected?: string } {
  const code = input.trim().toUpperCase();
  if (code.length !== 18) return { ok: false, problem: 'length' };
  if (![...code].every((c) => ALPHABET.includes(c))) return { ok: false, problem: 'characters' };
  const expected = creditCodeCheckChar(code.slice(0, 17))!;
  if (code[17] !== expected) return { ok: false, problem: 'checkCharacter', expected };
  return { ok: true, code };
}

/** Completes 17 characters with their check character (for demo data and tests). */
export function withCheckChar(first17: string): string {
  const c = creditCodeCheckChar(first17);
  if (!c || first17.length !== 17) throw new Error(`not 17 valid characters: ${first17}`);
  return first17 + c;
}
