import type { RequestHandler } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, translator } from './i18n';

export const LANGUAGE_COOKIE = 'sf.lang';

/** Chinese unless the user chose English (remembered in a cookie, also before sign-in). */
export const languageMiddleware: RequestHandler = (req, _res, next) => {
  const chosen = parseCookie(req.headers.cookie ?? '', LANGUAGE_COOKIE);
  req.lang = isLanguage(chosen) ? chosen : DEFAULT_LANGUAGE;
  req.t = translator(req.lang);
  next();
};

function parseCookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
