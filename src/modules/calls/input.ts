import { FUND_SOURCES, type SourceAmount } from '../funds';
import { type ProcurementMethod } from '../catalog';
import {
  amountField,
  criterionNameField,
  criterionWeightField,
  weightField,
  type CallForm,
  type FundingMode,
} from './schemas';
import {
  CRITERION_ROWS,
  EVALUATION_SOURCES,
  parseWeight,
  readCriteria,
  weightProblem,
  weightSum,
  type Criterion,
  type EvaluationWeights,
} from './weights';

/** A call as the service writes it, after every check that needs no database. */
export interface CallInput {
  catalogItemId: number;
  title: string;
  description: string;
  fundingMode: FundingMode;
  method: ProcurementMethod;
  budgetYear: number;
  amounts: SourceAmount[];
  budgetFen: number;
  perProjectCapFen: number | null;
  opensAt: Date;
  closesAt: Date;
  criteria: Criterion[];
  weights: EvaluationWeights;
  publicityDays: number;
  maxAdvancePercent: number;
  reviewDays: number;
  citizenMinRatings: number;
}

import type { Problem, Problems } from '../../web/problems';
export type { Problem, Problems };

/** The cross-field rules: budget from sources, venture pool and cap, times, criteria and evaluation weights. */
export function toCallInput(form: CallForm, now: Date): { input: CallInput; problems: Problems } {
  const problems: Problems = {};
  const amounts = FUND_SOURCES.map((source) => ({ source, amountFen: Number(form[amountField(source)] ?? 0) })).filter(
    (a) => a.amountFen > 0,
  );
  const budgetFen = amounts.reduce((s, a) => s + a.amountFen, 0);
  if (budgetFen <= 0) problems.amounts = { key: 'calls.errors.budgetRequired' };

  let perProjectCapFen: number | null = null;
  if (form.method === 'venture') {
    perProjectCapFen = form.perProjectCap;
    if (!perProjectCapFen) problems.perProjectCap = { key: 'calls.errors.capRequired' };
    else if (budgetFen > 0 && perProjectCapFen > budgetFen)
      problems.perProjectCap = { key: 'calls.errors.capAbovePool' };
  }

  if (form.closesAt.getTime() <= now.getTime()) problems.closesAt = { key: 'calls.errors.closesInPast' };
  if (form.opensAt.getTime() >= form.closesAt.getTime()) problems.opensAt = { key: 'calls.errors.opensAfterCloses' };

  const rows = Array.from({ length: CRITERION_ROWS }, (_, i) => ({
    name: form[criterionNameField(i + 1)],
    weight: form[criterionWeightField(i + 1)],
  }));
  const criteriaResult = readCriteria(rows);
  let criteria: Criterion[] = [];
  if (criteriaResult.ok) criteria = criteriaResult.criteria;
  else
    problems.criteria = {
      key: `calls.errors.criteria.${criteriaResult.problem}`,
      params: { row: criteriaResult.row, sum: criteriaResult.sum },
    };

  const weights = Object.fromEntries(
    EVALUATION_SOURCES.map((s) => [s, parseWeight(form[weightField(s)])]),
  ) as EvaluationWeights;
  const values = Object.values(weights);
  const problem = values.some((v) => Number.isNaN(v)) ? 'notInteger' : weightProblem(values);
  if (problem)
    problems.evaluationWeights = { key: `calls.errors.evaluation.${problem}`, params: { sum: weightSum(values) } };

  return {
    input: {
      catalogItemId: form.catalogItemId,
      title: form.title,
      description: form.description,
      fundingMode: form.fundingMode,
      method: form.method,
      budgetYear: form.budgetYear,
      amounts,
      budgetFen,
      perProjectCapFen,
      opensAt: form.opensAt,
      closesAt: form.closesAt,
      criteria,
      weights,
      publicityDays: form.publicityDays,
      maxAdvancePercent: form.maxAdvancePercent,
      reviewDays: form.reviewDays,
      citizenMinRatings: form.citizenMinRatings,
    },
    problems,
  };
}
