import { formatScore } from '../../shared/score';

/** Scores are kept in hundredths (0..10000): 87.5 is 8750. Parsed from text without floating point. */
export const SCORE_MAX = 10_000;

/** '87.5' -> 8750; undefined for anything that is not 0–100 with at most two decimals. */
export function parseScore(input: string): number | undefined {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(input.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return value <= SCORE_MAX ? value : undefined;
}

/** 8750 -> '87.50' (the one formatter, also in every view's locals). */
export { formatScore };

/** The form's value for a stored score: 8750 -> '87.5', 9000 -> '90'. */
export const scoreInput = (hundredths: number | null | undefined): string =>
  hundredths === null || hundredths === undefined ? '' : formatScore(hundredths).replace(/\.?0+$/, '');
