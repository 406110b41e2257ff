import type { RequestHandler } from 'express';
import { formatMoney, fenToInput } from '../shared/money';
import { formatScore } from '../shared/score';
import { formatDate, formatDateTime, toShanghaiInput } from '../shared/time';
import { csrfTokenFor } from './csrf';
import { takeFlash } from './flash';
import { navFor, PUBLIC_NAV } from './nav';
import { onceKeyFor } from './once';

function timeElement(value: string | Date | null | undefined, lang: string): string {
  const text = formatDateTime(value, lang);
  if (!text) return '';
  const iso = (typeof value === 'string' ? new Date(value) : (value as Date)).toISOString();
  return `<time datetime="${iso}">${text}</time>`;
}

/** What every view may use: translation, formatters; set before anything can fail. */
export const baseLocals: RequestHandler = (req, res, next) => {
  res.locals.t = req.t;
  res.locals.lang = req.lang;
  res.locals.money = formatMoney;
  res.locals.moneyInput = fenToInput;
  // Scores in hundredths: 8750 -> '87.50'.
  res.locals.formatScore = formatScore;
  res.locals.dateTime = (v: string | Date | null | undefined) => formatDateTime(v, req.lang);
  res.locals.date = (v: string | Date | null | undefined) => formatDate(v, req.lang);
  // The same moment as a <time> element (`<%- time(v) %>`): in a table cell it never breaks inside its date
  // or its time (app.css), however narrow the column.
  res.locals.time = (v: string | Date | null | undefined) => timeElement(v, req.lang);
  res.locals.dateTimeInput = toShanghaiInput;
  // Brackets and list separators follow the language: （）、 in Chinese, ( ) , in English.
  res.locals.lp = req.lang === 'en' ? ' (' : '（';
  res.locals.rp = req.lang === 'en' ? ')' : '）';
  res.locals.sep = req.lang === 'en' ? ', ' : '、';
  res.locals.currentUser = null;
  res.locals.navItems = navFor(null);
  res.locals.publicNavItems = PUBLIC_NAV;
  res.locals.currentPath = req.originalUrl;
  res.locals.flash = [];
  res.locals.errors = {};
  res.locals.values = {};
  // Forms ask for the token only when rendered; an anonymous form's token needs no session at all.
  res.locals.csrfToken = () => csrfTokenFor(req, res);
  res.locals.onceKey = onceKeyFor;
  next();
};

/** Set once the session and the signed-in user are known. */
export const userLocals: RequestHandler = (req, res, next) => {
  res.locals.currentUser = req.user ?? null;
  res.locals.navItems = navFor(req.user?.role ?? null);
  res.locals.flash = takeFlash(req);
  // A signed-in page is never kept by the browser or a proxy (shared computers, back button after sign-out).
  if (req.user) res.setHeader('Cache-Control', 'no-store');
  next();
};
