import { z } from 'zod';
import { field } from '../../web/forms';

/** Ways a catalogue item may be bought (合同外包 / 项目委托 / 公益创投). */
export const PROCUREMENT_METHODS = ['contract_outsourcing', 'project_entrustment', 'venture'] as const;
export type ProcurementMethod = (typeof PROCUREMENT_METHODS)[number];

export const ITEM_STATUSES = ['active', 'retired'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const yearField = () =>
  z
    .string()
    .trim()
    .regex(/^\d{4}$/, { message: 'catalog.errors.year' })
    .transform(Number)
    .refine((y) => y >= 2000 && y <= 2100, { message: 'catalog.errors.year' });

/** Checkboxes: absent, one value (a string) or several (an array of strings). */
const methodsField = z
  .union([z.string(), z.array(z.string())], { message: 'catalog.errors.methodsRequired' })
  .optional()
  .transform((v, ctx) => {
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (!list.length) {
      ctx.addIssue({ code: 'custom', message: 'catalog.errors.methodsRequired' });
      return z.NEVER;
    }
    if (!list.every((m) => (PROCUREMENT_METHODS as readonly string[]).includes(m))) {
      ctx.addIssue({ code: 'custom', message: 'validation.choose' });
      return z.NEVER;
    }
    return PROCUREMENT_METHODS.filter((m) => list.includes(m));
  });

export const catalogItemSchema = z.object({
  categoryId: field.id(),
  // Only the district administrator's form has this field; a manager's street office comes from the session.
  streetOfficeId: field.optionalId(),
  year: yearField(),
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'catalog.errors.code' }),
  name: field.text(200),
  description: field.text(4000),
  serviceStandard: field.text(4000),
  unit: field.text(40),
  guidancePrice: field.money(),
  methods: methodsField,
});
export type CatalogItemInput = z.infer<typeof catalogItemSchema>;

/** The methods column: "contract_outsourcing,venture" <-> a list. */
export const methodsToColumn = (methods: readonly ProcurementMethod[]) => methods.join(',');
export const methodsFromColumn = (value: string): ProcurementMethod[] =>
  value.split(',').filter((m): m is ProcurementMethod => (PROCUREMENT_METHODS as readonly string[]).includes(m));
