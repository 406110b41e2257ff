import { checkCreditCode } from './credit-code';

/**
 * Personal data scrubbed from free text before it is published (the public contract PDF, the
 * disclosure pages): mainland mobile numbers, landline numbers and 18-digit resident ID numbers.
 * What is not personal stays: an organization's unified social credit code (even an all-digit one
 * that passes its GB 32100 check), money amounts, dates and ordinary numbers.
 */
export interface RedactMasks {
  phone: string;
  idNumber: string;
}

export const DEFAULT_MASKS: RedactMasks = { phone: '[电话已隐去]', idNumber: '[证件号已隐去]' };

// 18-digit resident ID (GB 11643): region, birth date YYYYMMDD, sequence, check digit or X.
// Optional single space or dash between the blocks (6-8-4), as people type them.
const ID_NUMBER = String.raw`[1-9]\d{5}[\s-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[\s-]?\d{3}[\dXx]`;
// Mobile: 1[3-9] and nine more digits, optionally +86/0086/86 in front, spaces or dashes between digits.
const MOBILE = String.raw`(?:(?:\+|00)?86[\s-]?)?1[3-9](?:[\s-]?\d){9}`;
// Landline: area code 0xx or 0xxx (optionally in brackets), 7-8 digit number, optional extension.
const LANDLINE = String.raw`(?:[(（]0\d{2,3}[)）][\s-]?|0\d{2,3}[\s-]?)[2-9]\d{2,3}[\s-]?\d{4}(?:\s*(?:-|转|ext\.?|x)\s*\d{1,6})?`;

// Not inside a longer run of digits or letters (a credit code, an account number), not followed by a
// decimal part or 元 (an amount).
const BEFORE = String.raw`(?<![0-9A-Za-z+])`;
const AFTER = String.raw`(?![0-9A-Za-z]|[.,]\d|\s*(?:元|万元|亿元))`;
const PATTERN = new RegExp(
  `${BEFORE}(?:(?<id>${ID_NUMBER})|(?<mobile>${MOBILE})|(?<landline>${LANDLINE}))${AFTER}`,
  'g',
);

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function passesIdCheck(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(digits[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === digits[17].toUpperCase();
}

export function redactPersonalData(text: string, masks: RedactMasks = DEFAULT_MASKS): string {
  return text.replace(PATTERN, (match: string, ...args: unknown[]) => {
    const groups = args[args.length - 1] as { id?: string; mobile?: string; landline?: string };
    if (groups.id) {
      const compact = groups.id.replace(/[\s-]/g, '');
      // An all-digit credit code can look like an ID number; it stays when it is a valid credit
      // code and not a valid ID number. A mistyped ID number (failing both checks) is still hidden.
      if (!passesIdCheck(compact) && checkCreditCode(compact).ok) return match;
      return masks.idNumber;
    }
    return masks.phone;
  });
}
