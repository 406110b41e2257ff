import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { parseScore } from './score';

/** An evaluation indicator: a criterion of the contract's call, by position. */
export interface Indicator {
  position: number;
  name: string;
  weight: number;
}
export type IndicatorScore = Indicator & { score: number };
export type IndicatorSource = 'manager' | 'third_party';

export const indicatorField = (i: Pick<Indicator, 'position'>) => `score_${i.position}`;

/** The call's criteria of the contract, in order. None: the source is scored with one number. */
export async function indicatorsOf(db: Queryable, contractId: number): Promise<Indicator[]> {
  const rows = await db('contracts as c')
    .join('call_criteria as k', 'k.call_id', 'c.call_id')
    .where('c.id', contractId)
    .orderBy('k.position')
    .select('k.position', 'k.name', 'k.weight');
  return rows.map((r) => ({ position: Number(r.position), name: r.name, weight: Number(r.weight) }));
}

/**
 * The source's score from its indicator scores (hundredths): Σ(score·weight) / Σweight, in
 * integers, rounded half up. Weights summing to 0 (never from a valid call) count equally.
 */
export function combineIndicators(scores: Pick<IndicatorScore, 'score' | 'weight'>[]): number {
  const equal = scores.every((s) => s.weight === 0);
  const w = (s: { weight: number }) => BigInt(equal ? 1 : s.weight);
  const den = scores.reduce((sum, s) => sum + w(s), 0n);
  const num = scores.reduce((sum, s) => sum + BigInt(s.score) * w(s), 0n);
  return Number((2n * num + den) / (2n * den));
}

/** Every indicator 0–100 with at most two decimals; errors per field (i18n keys). */
export function parseIndicatorScores(
  body: Record<string, unknown>,
  indicators: Indicator[],
): { ok: true; scores: IndicatorScore[] } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const scores: IndicatorScore[] = [];
  for (const i of indicators) {
    const v = body[indicatorField(i)];
    if (v !== undefined && typeof v !== 'string') errors[indicatorField(i)] = 'validation.notText';
    else if (!(v ?? '').trim()) errors[indicatorField(i)] = 'validation.required';
    else {
      const score = parseScore(v as string);
      if (score === undefined) errors[indicatorField(i)] = 'evaluations.errors.score';
      else scores.push({ ...i, score });
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, scores };
}

/** Replaces the source's indicator scores, in the scoring transaction. */
export async function writeIndicatorScores(
  trx: Knex.Transaction,
  evaluationId: number,
  source: IndicatorSource,
  scores: IndicatorScore[],
): Promise<void> {
  await trx('evaluation_indicator_scores').where({ evaluation_id: evaluationId, source }).delete();
  if (scores.length)
    await trx('evaluation_indicator_scores').insert(
      scores.map((s) => ({
        evaluation_id: evaluationId,
        source,
        position: s.position,
        name: s.name,
        weight: s.weight,
        score: s.score,
      })),
    );
}

export async function indicatorScoresOf(
  db: Queryable,
  evaluationId: number,
): Promise<(IndicatorScore & { source: IndicatorSource })[]> {
  const rows = await db('evaluation_indicator_scores')
    .where({ evaluation_id: evaluationId })
    .orderBy(['source', 'position'])
    .select('source', 'position', 'name', 'weight', 'score');
  return rows.map((r) => ({
    source: r.source,
    position: Number(r.position),
    name: r.name,
    weight: Number(r.weight),
    score: Number(r.score),
  }));
}
