import type { Request } from 'express';
import type { TFunction } from 'i18next';

/** A refusal of one form field: an i18n key and its values ("must be at most {{max}} characters"). */
export interface Problem {
  key: string;
  params?: Record<string, unknown>;
}
/** The refused fields of one form, by field name. */
export type Problems = Record<string, Problem>;

/** Field errors, as bare i18n keys (ValidationFailed) or as problems with values, in the user's
 *  language: what a form shows beside each field. */
export function translateProblems(
  req: Pick<Request, 't'>,
  errors: Record<string, string | Problem>,
  params: Record<string, unknown> = {},
): Record<string, string> {
  return translateWith(req.t, errors, params);
}

/** The same with a translation function, where no request is at hand. */
export function translateWith(
  t: TFunction,
  errors: Record<string, string | Problem>,
  params: Record<string, unknown> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, e]) => [field, typeof e === 'string' ? t(e, params) : t(e.key, e.params)]),
  );
}
