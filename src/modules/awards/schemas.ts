import { z } from 'zod';
import { field } from '../../web/forms';

export const REASONS_MAX = 5000;

export const objectionSchema = z.object({ reasons: field.text(REASONS_MAX) });

export const DECISIONS = ['upheld', 'rejected'] as const;
export const answerSchema = z.object({
  decision: z.enum(DECISIONS, { message: 'validation.choose' }),
  answer: field.text(REASONS_MAX),
});

/** A path id: digits only and small enough for an integer column; anything else finds nothing. */
import { pathId } from '../../web/path-id';
export { pathId };
