import type { Request } from 'express';

/** A record id from the path or a form: a positive integer of at most nine digits, else 0 — which
 *  no row has, so a forged or malformed id looks up nothing and answers 404 like a missing one. */
export const pathId = (value: unknown): number =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;

/** The id in the named path parameter (see pathId). */
export const idParam = (req: Request, name = 'id'): number => pathId(req.params[name]);
