/** Pure checks on the weights of a call: scoring criteria and the five evaluation sources. */

export const EVALUATION_SOURCES = ['self', 'manager', 'peer', 'citizen', 'third_party'] as const;
export type EvaluationSource = (typeof EVALUATION_SOURCES)[number];
export type EvaluationWeights = Record<EvaluationSource, number>;

/** From the product brief: third-party and citizen assessment weigh most; defaults a manager can change. */
export const DEFAULT_EVALUATION_WEIGHTS: EvaluationWeights = {
  self: 10,
  manager: 30,
  peer: 10,
  citizen: 20,
  third_party: 30,
};

/** The criteria rows in the form; blank rows are ignored. */
export const CRITERION_ROWS = 6;

export interface Criterion {
  name: string;
  weight: number;
}

export type WeightProblem = 'notInteger' | 'outOfRange' | 'sum' | 'empty';

/** Weights are whole numbers 0..100 that sum to exactly 100. Returns the first problem, or null. */
export function weightProblem(weights: readonly number[]): WeightProblem | null {
  if (!weights.length) return 'empty';
  if (!weights.every((w) => Number.isInteger(w))) return 'notInteger';
  if (!weights.every((w) => w >= 0 && w <= 100)) return 'outOfRange';
  return weights.reduce((a, b) => a + b, 0) === 100 ? null : 'sum';
}

export const weightSum = (weights: readonly number[]) => weights.reduce((a, b) => a + b, 0);

/** "30" -> 30; "", "3.5", "-1", "abc", "101" -> NaN-like refusals handled by weightProblem. */
export function parseWeight(text: unknown): number {
  if (typeof text !== 'string' || !/^\s*\d{1,3}\s*$/.test(text)) return NaN;
  return Number(text.trim());
}

export type CriteriaResult =
  | { ok: true; criteria: Criterion[] }
  | { ok: false; problem: WeightProblem | 'incompleteRow'; row?: number; sum?: number };

/** Reads criterion rows (name + weight), ignoring rows left blank, and checks the weights. */
export function readCriteria(rows: { name?: unknown; weight?: unknown }[]): CriteriaResult {
  const criteria: Criterion[] = [];
  for (const [i, row] of rows.entries()) {
    const name = typeof row.name === 'string' ? row.name.trim() : '';
    const weightText = typeof row.weight === 'string' ? row.weight.trim() : '';
    if (!name && !weightText) continue;
    if (!name || !weightText || name.length > 100) return { ok: false, problem: 'incompleteRow', row: i + 1 };
    const weight = parseWeight(weightText);
    if (Number.isNaN(weight)) return { ok: false, problem: 'notInteger', row: i + 1 };
    criteria.push({ name, weight });
  }
  const problem = weightProblem(criteria.map((c) => c.weight));
  if (problem) return { ok: false, problem, sum: weightSum(criteria.map((c) => c.weight)) };
  return { ok: true, criteria };
}
