import { z } from 'zod';

export const DOCUMENT_KINDS = ['registration_certificate', 'annual_inspection', 'charter', 'other'] as const;

export const documentSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS, { message: 'validation.choose' }),
});
