import { z } from 'zod';
import { field } from '../../web/forms';
import type { Criterion } from './queries';

/** The manager's choice of a reviewer for the panel. */
export const assignSchema = z.object({ reviewerId: field.id() });

/** A reviewer's declaration on one bid: no conflict, or a conflict with a note saying what it is. */
export const declarationSchema = z
  .object({
    decision: z.enum(['none', 'conflict'], { message: 'validation.choose' }),
    note: field.optionalText(500),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'conflict' && !v.note)
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'reviews.validation.noteRequired' });
  })
  .transform((v) => ({ hasConflict: v.decision === 'conflict', note: v.decision === 'conflict' ? v.note : null }));
export type DeclarationInput = z.infer<typeof declarationSchema>;

export const scoreField = (c: Pick<Criterion, 'id'>) => `score_${c.id}`;
export const commentField = (c: Pick<Criterion, 'id'>) => `comment_${c.id}`;

/** A whole integer 0..100 written in digits: "85" yes; "85.5", "-1", "101", "1e2", "" no. The form
 *  message ("a whole number from 0 to 100") is read from the number schema by src/web/form-messages.ts. */
const score = () =>
  z
    .string()
    .trim()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(100));

/** One score and one comment for every criterion of the call; parsed into criterion id -> entry. */
export function sheetSchema(criteria: Criterion[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const c of criteria) {
    shape[scoreField(c)] = score();
    shape[commentField(c)] = field.text(1000);
  }
  return z
    .object(shape)
    .transform(
      (v) =>
        new Map(
          criteria.map((c) => [c.id, { score: v[scoreField(c)] as number, comment: v[commentField(c)] as string }]),
        ),
    );
}
export type SheetInput = Map<number, { score: number; comment: string }>;
