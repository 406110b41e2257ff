import { z } from 'zod';
import { field } from '../../web/forms';

export const streetOfficeSchema = z.object({
  name: field.text(100),
  district: field.text(100),
});
export type StreetOfficeInput = z.infer<typeof streetOfficeSchema>;
