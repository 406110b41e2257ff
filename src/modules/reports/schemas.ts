import { z } from 'zod';
import { field } from '../../web/forms';
import { shanghaiYear } from './period';

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
export const FORMATS = ['xlsx', 'csv', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];

/** What a report is asked for: one street office or all the reader may read, and a year or a
 *  date range (Beijing dates, both inclusive). */
export interface ReportRequest {
  street: number | 'all';
  period: { kind: 'year'; year: number } | { kind: 'range'; from: string; to: string };
  page: number;
}

/** The query string exactly as given (text only), to re-show the form. */
export type ReportValues = Record<'street' | 'year' | 'from' | 'to' | 'format', string>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string>; values: ReportValues };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined ? '' : '\u0000');

/** A real calendar date YYYY-MM-DD (2026-02-30 is refused). */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * ?street=&year= or ?street=&from=&to= → a ReportRequest, or field errors (i18n keys) for the form.
 * No year and no dates: the current Beijing year. Anything that is not text (a repeated parameter)
 * is an error, never a guess.
 */
export function parseReportRequest(query: Record<string, unknown>, now: Date): Parsed<ReportRequest> {
  const values: ReportValues = { street: '', year: '', from: '', to: '', format: '' };
  for (const k of Object.keys(values) as (keyof ReportValues)[]) {
    const v = text(query[k]);
    values[k] = v === '\u0000' ? '' : String(v);
  }
  const errors: Record<string, string> = {};
  for (const k of ['street', 'year', 'from', 'to'] as const)
    if (text(query[k]) === '\u0000') errors[k] = 'reports.errors.notText';

  let street: number | 'all' = 'all';
  if (!errors.street && values.street !== '' && values.street !== 'all') {
    if (/^\d{1,9}$/.test(values.street)) street = Number(values.street);
    else errors.street = 'reports.errors.street';
  }

  let period: ReportRequest['period'] = { kind: 'year', year: shanghaiYear(now) };
  if (values.from !== '' || values.to !== '') {
    if (!errors.from && !isDate(values.from))
      errors.from = values.from === '' ? 'reports.errors.fromRequired' : 'reports.errors.dateFormat';
    if (!errors.to && !isDate(values.to))
      errors.to = values.to === '' ? 'reports.errors.toRequired' : 'reports.errors.dateFormat';
    if (!errors.from && !errors.to) {
      const [fy, ty] = [Number(values.from.slice(0, 4)), Number(values.to.slice(0, 4))];
      if (fy < MIN_YEAR || fy > MAX_YEAR) errors.from = 'reports.errors.yearRange';
      else if (ty < MIN_YEAR || ty > MAX_YEAR) errors.to = 'reports.errors.yearRange';
      else if (values.from > values.to) errors.to = 'reports.errors.reversed';
      else period = { kind: 'range', from: values.from, to: values.to };
    }
  } else if (!errors.year && values.year !== '') {
    if (!/^\d{1,4}$/.test(values.year)) errors.year = 'reports.errors.yearFormat';
    else if (Number(values.year) < MIN_YEAR || Number(values.year) > MAX_YEAR) errors.year = 'reports.errors.yearRange';
    else period = { kind: 'year', year: Number(values.year) };
  }
  if (Object.keys(errors).length) return { ok: false, errors, values };
  const page = /^\d{1,6}$/.test(String(query.page ?? '')) && Number(query.page) >= 1 ? Number(query.page) : 1;
  return { ok: true, value: { street, period, page } };
}

export function parseFormat(value: unknown): Format | undefined {
  return (FORMATS as readonly string[]).includes(String(value)) ? (value as Format) : undefined;
}

/** A path id: digits only and small enough for an integer column; anything else finds nothing. */
export const pathId = (value: unknown): number =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;

export const FINDING_SUBJECTS = ['contract', 'payment', 'street_year'] as const;
export type FindingSubject = (typeof FINDING_SUBJECTS)[number];

export const findingSchema = z.object({
  subject_type: z.enum(FINDING_SUBJECTS, { message: 'reports.findings.errors.subject' }),
  subject_id: z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, { message: 'reports.findings.errors.subjectId' })
    .transform(Number)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  street: z
    .string()
    .trim()
    .regex(/^\d{1,9}$/, { message: 'reports.findings.errors.street' })
    .transform(Number)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  year: z
    .string()
    .trim()
    .regex(/^\d{4}$/, { message: 'reports.errors.yearFormat' })
    .transform(Number)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  title: field.text(200),
  body: field.text(5000),
});
export type FindingInput = z.infer<typeof findingSchema>;

export const answerSchema = z.object({ answer: field.text(5000) });
