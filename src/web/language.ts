import type { RequestHandler } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, translator } from './i18n';

export const LANGUAGE_COOKIE = 'sf.lang';

/** Chinese unless the user chose English (remembered in a cookie, also before sign-in). */
export const languageMiddleware: RequestHandler = (req, _res, next) => {
  const chosen = readCookie(req.headers.cookie, LANGUAGE_COOKIE);
  req.lang = isLanguage(chosen) ? chosen : DEFAULT_LANGUAGE;
  req.t = translator(req.lang);
  next();
};

/** One cookie's value, or undefined. Never throws: a cookie the browser (or anyone) sent malformed,
 *  such as `sf.lang=%`, counts as absent rather than failing every page. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
