import { z } from 'zod';
import type { TFunction } from 'i18next';
import { parseMoney } from '../shared/money';
import { parseShanghaiDateTime } from '../shared/time';
import { messageFor } from './form-messages';
import { FIELD_KEY, forbiddenFieldsOf, withoutForbiddenCharacters } from './text-guard';

/** Form values exactly as typed, for re-showing a form that failed. Arrays and objects are not text. */
export type FormValues = Record<string, string>;

export function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body))
      if (typeof v === 'string' && k !== '_csrf') out[k] = withoutForbiddenCharacters(v);
  }
  return out;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string>; values: FormValues };

export function parseForm<S extends z.ZodType>(schema: S, body: unknown, t: TFunction): FormResult<z.infer<S>> {
  // Control characters or direction overrides found by the request guard (src/web/text-guard.ts).
  const forbidden = forbiddenFieldsOf(body);
  if (forbidden.length)
    return { ok: false, errors: Object.fromEntries(forbidden.map((f) => [f, t(FIELD_KEY)])), values: formValues(body) };
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    const given = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
    if (!errors[field]) errors[field] = messageFor(issue, t, given, schema);
  }
  return { ok: false, errors, values: formValues(body) };
}

/** Reusable field types. Each refuses arrays/objects (a repeated or nested form field) as not text. */
export const field = {
  text: (max = 200) => z.string().trim().min(1).max(max),
  optionalText: (max = 2000) =>
    z
      .string()
      .trim()
      .max(max)
      .optional()
      .transform((v) => (v ? v : null)),
  id: () =>
    z
      .string()
      .regex(/^\d{1,9}$/, { message: 'validation.choose' })
      .transform(Number),
  optionalId: () =>
    z
      .string()
      .regex(/^(\d{1,9})?$/, { message: 'validation.choose' })
      .optional()
      .transform((v) => (v ? Number(v) : null)),
  money: () =>
    z.string().transform((v, ctx) => {
      const r = parseMoney(v);
      if (r.ok) return r.fen;
      ctx.addIssue({ code: 'custom', message: `validation.money.${r.error}` });
      return z.NEVER;
    }),
  dateTime: () =>
    z.string().transform((v, ctx) => {
      const d = parseShanghaiDateTime(v);
      if (d) return d;
      ctx.addIssue({ code: 'custom', message: v.trim() ? 'validation.dateTime' : 'validation.required' });
      return z.NEVER;
    }),
  checkbox: () =>
    z
      .union([z.literal('on'), z.literal('1'), z.literal('true')])
      .optional()
      .transform((v) => v !== undefined),
};
