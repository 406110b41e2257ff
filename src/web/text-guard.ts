import type { Request, RequestHandler } from 'express';
import { ValidationFailed } from './errors';

export const CONTROL_CHARACTERS_KEY = 'errors.controlCharacters';

/**
 * Characters no text field of ours has a use for: C0 controls except tab, line feed and carriage
 * return (multi-line text), DEL, C1 controls, and the bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) that make a name or a reason display as something else
 * ("Trojan Source"). PostgreSQL refuses U+0000 outright (a 500 until now), SQLite stores it: refusing
 * them here makes both databases answer alike.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function hasForbiddenCharacters(value: string): boolean {
  return FORBIDDEN.test(value);
}

/** The names of the fields (or `_path`) whose text has a forbidden character. */
export function fieldsWithForbiddenCharacters(...sources: unknown[]): string[] {
  const found: string[] = [];
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (hasForbiddenCharacters(key) || values.some((v) => typeof v === 'string' && hasForbiddenCharacters(v))) found.push(key);
    }
  }
  return found;
}

function decodedPath(req: Request): string {
  try {
    return decodeURIComponent(req.path);
  } catch {
    return req.path;
  }
}

/** Refuses a request whose path, query string or form fields hold a forbidden character: 422 with a
 *  message in the user's language, before any handler (so nothing is written). Runs once for every
 *  URL-encoded form and query string, and again after the upload parser for multipart forms. */
export const refuseForbiddenText: RequestHandler = (req, _res, next) => {
  const fields = fieldsWithForbiddenCharacters(req.query, req.body);
  if (hasForbiddenCharacters(decodedPath(req))) fields.push('_path');
  if (fields.length === 0) return next();
  next(new ValidationFailed(Object.fromEntries(fields.map((f) => [f, CONTROL_CHARACTERS_KEY])), CONTROL_CHARACTERS_KEY));
};
