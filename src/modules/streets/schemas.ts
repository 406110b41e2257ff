import { z } from 'zod';
import { field } from '../../web/forms';

/** The short code numbers the street office's contracts (DS-2026-0007): 2–6 capital letters, unique. */
const shortCode = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.toUpperCase() : null))
    .refine((v) => v === null || /^[A-Z]{2,6}$/.test(v), { message: 'validation.shortCode' });

export const streetOfficeSchema = z.object({
  name: field.text(100),
  district: field.text(100),
  shortCode: shortCode(),
  legalRepresentative: field.optionalText(100),
  address: field.optionalText(300),
});
export type StreetOfficeInput = z.infer<typeof streetOfficeSchema>;
