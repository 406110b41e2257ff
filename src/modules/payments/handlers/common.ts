import type { Request } from 'express';
import type { DomainError } from '../../../web/errors';

/** Field errors (i18n keys) in the user's language. */
export const translate = (req: Request, errors: Record<string, string>) =>
  Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, req.t(v)]));

/** A refusal the form can show in place (422 with the fields, or 409 as a form message). */
export const formErrorOf = (req: Request, err: DomainError) => req.t(err.messageKey, err.params);

/** A Beijing date (YYYY-MM-DD) → the UTC ISO instant of its midnight; `nextDay` for an exclusive end. */
export function shanghaiMidnight(date: string, nextDay = false): string {
  const d = new Date(`${date}T00:00:00+08:00`);
  if (nextDay) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}
