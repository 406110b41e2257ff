import { z } from 'zod';
import { field } from '../../web/forms';
import { FUND_SOURCES, MAX_YEAR, MIN_YEAR } from './ledger';

/** A year typed into a form or a path: four digits within MIN_YEAR..MAX_YEAR. */
export function parseYear(input: unknown): number | null {
  if (typeof input !== 'string' || !/^\d{4}$/.test(input.trim())) return null;
  const year = Number(input.trim());
  return year >= MIN_YEAR && year <= MAX_YEAR ? year : null;
}

export const allocationSchema = z.object({
  street_office_id: field.id(),
  year: z.string().transform((v, ctx) => {
    const year = parseYear(v);
    if (year !== null) return year;
    // Replaced by the funds message (with the range) in the handler.
    ctx.addIssue({ code: 'custom', message: 'validation.format' });
    return z.NEVER;
  }),
  source: z.enum(FUND_SOURCES, { message: 'validation.choose' }),
  amount: field.money(),
  note: field.text(200),
});
export type AllocationForm = z.infer<typeof allocationSchema>;

export const reversalSchema = z.object({
  reason: field.text(500),
});
