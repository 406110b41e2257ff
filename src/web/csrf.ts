import crypto from 'node:crypto';
import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler, Response } from 'express';
import { readCookie } from './language';
import { refuseForbiddenText } from './text-guard';

/**
 * Two kinds of token, one check:
 * - signed in: a synchronizer token kept in the session (csrf-sync), sent as the hidden field `_csrf`;
 * - not signed in (sign-in, registration): a signed double-submit token. The browser holds a random
 *   value in the `sf.csrf` cookie; the form carries HMAC(secret, value). A forger can neither read the
 *   cookie nor compute the HMAC, and the server keeps nothing, so an anonymous page view writes no
 *   session row. The anonymous token is accepted only while nobody is signed in; once signed in, only
 *   the session's token counts (a tossed cookie cannot reach a signed-in user's forms).
 */
const { generateToken, isRequestValid, invalidCsrfTokenError } = csrfSync({
  size: 32,
  getTokenFromRequest: tokenFromRequest,
});

export const ANON_CSRF_COOKIE = 'sf.csrf';
const ANON_VALUE = /^[0-9a-f]{64}$/;

interface CsrfSettings {
  secret: string;
  secureCookie: boolean;
}
const settings = new WeakMap<Request, CsrfSettings>();

function tokenFromRequest(req: Request): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof fromBody === 'string') return fromBody;
  const header = req.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

function anonymousToken(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(`anonymous-csrf:${value}`).digest('hex');
}

function validAnonymousToken(req: Request): boolean {
  const s = settings.get(req);
  const value = readCookie(req.headers.cookie, ANON_CSRF_COOKIE);
  const received = tokenFromRequest(req);
  if (!s || !value || !ANON_VALUE.test(value) || typeof received !== 'string') return false;
  const expected = Buffer.from(anonymousToken(s.secret, value));
  const given = Buffer.from(received);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

function isValid(req: Request): boolean {
  if (req.session && isRequestValid(req)) return true;
  return !req.user && validAnonymousToken(req);
}

export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** Every POST is checked here, except multipart forms: their body is not parsed yet, so the route
 *  checks them with `csrfAfterUpload` right after the upload parser. */
export function csrfProtection(opts: CsrfSettings): RequestHandler {
  return (req, res, next) => {
    settings.set(req, opts);
    req.csrfToken = () => csrfTokenFor(req, res);
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (isMultipart(req) && req.method === 'POST') return next();
    next(isValid(req) ? undefined : invalidCsrfTokenError);
  };
}

/** After the upload parser: the token, then the same text guard the URL-encoded forms passed. */
export const csrfAfterUpload: RequestHandler = (req, res, next) => {
  if (!isValid(req)) return next(invalidCsrfTokenError);
  refuseForbiddenText(req, res, next);
};

/** For POST routes without an upload: a multipart body is never parsed there, so it can carry no
 *  valid token. */
export const refuseUncheckedMultipart: RequestHandler = (req, _res, next) => {
  next(isMultipart(req) ? invalidCsrfTokenError : undefined);
};

/** The token for a form on this page. Signed in: the session's. Otherwise: the double-submit token,
 *  setting its cookie on first use (only pages with a form call this). */
export function csrfTokenFor(req: Request, res: Response): string {
  if (req.user && req.session) return generateToken(req);
  const s = settings.get(req);
  if (!s) return '';
  let value = readCookie(req.headers.cookie, ANON_CSRF_COOKIE);
  if (!value || !ANON_VALUE.test(value)) {
    value = (res.locals.anonCsrfValue as string | undefined) ?? crypto.randomBytes(32).toString('hex');
    if (!res.locals.anonCsrfValue && !res.headersSent) {
      res.locals.anonCsrfValue = value;
      res.cookie(ANON_CSRF_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: s.secureCookie, path: '/' });
    }
  }
  return anonymousToken(s.secret, value);
}
