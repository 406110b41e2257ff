import { z } from 'zod';
import { field } from '../../web/forms';
import { parseMoney } from '../../shared/money';
import { FUND_SOURCES, type FundSource } from '../funds';
import { PROCUREMENT_METHODS, yearField } from '../catalog';
import { CRITERION_ROWS, EVALUATION_SOURCES, type EvaluationSource } from './weights';

export const FUNDING_MODES = ['project_purchase', 'project_subsidy', 'project_reward'] as const;
export type FundingMode = (typeof FUNDING_MODES)[number];

/** Stored states. "closed" is derived (published and the clock at or past closes_at); issue 4 adds
 *  under_review, publicity and awarded after closed. */
export const CALL_STATUSES = ['draft', 'published', 'cancelled'] as const;
export type StoredCallStatus = (typeof CALL_STATUSES)[number] | string;

/** Government Procurement Law art. 52: a challenge within 7 working days; the default publicity period. */
export const DEFAULT_PUBLICITY_DAYS = 7;

/** The largest advance a contract of the call may pay on signing, in percent of its amount. */
export const DEFAULT_MAX_ADVANCE_PERCENT = 30;

/** Days after an evaluation closes in which the organization may ask for a review (复核). */
export const DEFAULT_REVIEW_DAYS = 5;

/** The fewest citizen ratings a rating round needs to count as a source. */
export const DEFAULT_CITIZEN_MIN_RATINGS = 10;

/** A whole number in [min, max]; blank keeps the default. */
const wholeWithDefault = (def: number, min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(def) : v))
    .pipe(
      z
        .string()
        .regex(/^\d{1,4}$/, { message })
        .transform(Number)
        .refine((n) => n >= min && n <= max, { message }),
    );

/** Form field names derived from the lists, so adding a fund source adds a field. */
export const amountField = (source: FundSource) => `amount_${source}`;
export const weightField = (source: EvaluationSource) => `weight_${source}`;
export const criterionNameField = (i: number) => `criterion${i}Name`;
export const criterionWeightField = (i: number) => `criterion${i}Weight`;

/** A money field that may be left blank (= 0). */
const optionalMoney = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return 0;
      const r = parseMoney(v);
      if (r.ok) return r.fen;
      ctx.addIssue({ code: 'custom', message: `validation.money.${r.error}` });
      return z.NEVER;
    });

const optionalText = (max: number) => z.string().max(max).optional();

const shape: Record<string, z.ZodType> = {
  catalogItemId: field.id(),
  title: field.text(200),
  description: field.text(10000),
  fundingMode: z.enum(FUNDING_MODES, { message: 'validation.choose' }),
  method: z.enum(PROCUREMENT_METHODS, { message: 'validation.choose' }),
  budgetYear: yearField(),
  perProjectCap: optionalMoney(),
  opensAt: field.dateTime(),
  closesAt: field.dateTime(),
  publicityDays: z
    .string()
    .trim()
    .regex(/^\d{1,2}$/, { message: 'calls.errors.publicityDays' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 60, { message: 'calls.errors.publicityDays' }),
  // Blank keeps the default: an advance (首期款) of at most 30% of a contract's amount; 0 turns advances off.
  maxAdvancePercent: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? String(DEFAULT_MAX_ADVANCE_PERCENT) : v))
    .pipe(
      z
        .string()
        .regex(/^\d{1,3}$/, { message: 'calls.errors.maxAdvancePercent' })
        .transform(Number)
        .refine((n) => n <= 100, { message: 'calls.errors.maxAdvancePercent' }),
    ),
  reviewDays: wholeWithDefault(DEFAULT_REVIEW_DAYS, 1, 30, 'calls.errors.reviewDays'),
  citizenMinRatings: wholeWithDefault(DEFAULT_CITIZEN_MIN_RATINGS, 1, 1000, 'calls.errors.citizenMinRatings'),
};
for (const s of FUND_SOURCES) shape[amountField(s)] = optionalMoney();
// Weights are read as text here and checked together (integers 0..100, sum 100) by weights.ts.
for (const s of EVALUATION_SOURCES) shape[weightField(s)] = optionalText(10);
for (let i = 1; i <= CRITERION_ROWS; i += 1) {
  shape[criterionNameField(i)] = optionalText(200);
  shape[criterionWeightField(i)] = optionalText(10);
}

export const callFormSchema = z.object(shape);

/** What the form parses to, before the cross-field checks of the service. */
export interface CallForm {
  catalogItemId: number;
  title: string;
  description: string;
  fundingMode: FundingMode;
  method: (typeof PROCUREMENT_METHODS)[number];
  budgetYear: number;
  perProjectCap: number;
  opensAt: Date;
  closesAt: Date;
  publicityDays: number;
  maxAdvancePercent: number;
  reviewDays: number;
  citizenMinRatings: number;
  [key: string]: unknown;
}

export const cancelSchema = z.object({ reason: field.text(500) });
