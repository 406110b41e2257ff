import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';

/** Synchronizer token kept in the session; forms send it as the hidden field `_csrf`. */
const { csrfSynchronisedProtection, generateToken, isRequestValid, invalidCsrfTokenError } = csrfSync({
  size: 32,
  getTokenFromRequest: (req: Request) => {
    const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
  },
});

export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** Every POST is checked here, except multipart forms: their body is not parsed yet, so the route
 *  checks them with `csrfAfterUpload` right after the upload parser. */
export const csrfProtection: RequestHandler = (req, res, next) => {
  if (isMultipart(req) && req.method === 'POST') {
    req.csrfToken = (overwrite?: boolean) => generateToken(req, overwrite);
    return next();
  }
  return csrfSynchronisedProtection(req, res, next);
};

export const csrfAfterUpload: RequestHandler = (req, _res, next) => {
  next(isRequestValid(req) ? undefined : invalidCsrfTokenError);
};

/** For POST routes without an upload: a multipart body is never parsed there, so it can carry no
 *  valid token. */
export const refuseUncheckedMultipart: RequestHandler = (req, _res, next) => {
  next(isMultipart(req) ? invalidCsrfTokenError : undefined);
};

export function csrfTokenFor(req: Request): string {
  return generateToken(req);
}
