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
// eslint-disable-next-line no-control-regex
const FORBIDDEN_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

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
      if (hasForbiddenCharacters(key) || values.some((v) => typeof v === 'string' && hasForbiddenCharacters(v)))
        found.push(key);
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

const MARK = Symbol('forbiddenTextFields');

/** The form fields the guard found forbidden characters in (set on the parsed body itself, so
 *  parseForm, which gets only the body, can see it). */
export function forbiddenFieldsOf(body: unknown): string[] {
  return body && typeof body === 'object' ? ((body as Record<symbol, string[] | undefined>)[MARK] ?? []) : [];
}

/** Field -> message key, for a ValidationFailed or a form's errors. */
export function forbiddenTextErrors(fields: string[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, FIELD_KEY]));
}

export const FIELD_KEY = 'validation.controlCharacters';

/**
 * The one guard, run for every URL-encoded form and query string, and again after the upload parser
 * for multipart forms.
 * - Path or query string: refused at once, 422 with a message in the user's language.
 * - Form fields: marked on the body. parseForm then answers the form with a field error (422, the
 *   form re-shown with what was typed, minus the characters), and should a handler parse its form
 *   another way, auditedTransaction refuses to write for an actor whose request carries the mark
 *   (actorOf copies it), so nothing is written either way.
 */
export const refuseForbiddenText: RequestHandler = (req, _res, next) => {
  const fields = fieldsWithForbiddenCharacters(req.query);
  if (hasForbiddenCharacters(decodedPath(req))) fields.push('_path');
  if (fields.length > 0) return next(new ValidationFailed(forbiddenTextErrors(fields), CONTROL_CHARACTERS_KEY));
  const inBody = fieldsWithForbiddenCharacters(req.body);
  if (inBody.length > 0 && req.body && typeof req.body === 'object') {
    Object.defineProperty(req.body, MARK, { value: inBody, enumerable: false, configurable: true });
  }
  next();
};

/** The text without the forbidden characters, for re-showing what was typed. */
export function withoutForbiddenCharacters(value: string): string {
  return value.replace(FORBIDDEN_ALL, '');
}
