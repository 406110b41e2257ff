import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../deps';
import { shanghaiYear } from '../shared/time';
import { versionOfPublicData } from './public-version';

/**
 * Rendered pages kept in memory for anonymous visitors, each under a key that names everything the
 * page depends on: the address, the language, the version of the public data (public-version.ts)
 * and the current year (the pages' default years and year links). A new version is a new key, so
 * nothing is ever invalidated: old pages age out, least recently used first, within a byte budget.
 *
 * A page is kept only when it is the same for every anonymous visitor: no signed-in user, no flash
 * message, no form token asked for while rendering, no cookie set, status 200. Anything else is
 * rendered and sent as usual, and not kept.
 */
export interface PageCache {
  get(key: string): KeptPage | undefined;
  set(key: string, page: KeptPage): void;
  /** Entries and bytes held (for tests and the benchmark's notes). */
  size(): { entries: number; bytes: number };
}

export interface KeptPage {
  html: string;
  /** The headers the page was sent with that a repeat must carry too. */
  headers: Record<string, string>;
}

/** 16 MB of pages: about a thousand public pages of 16 KB, well inside the memory budget. */
export const PAGE_CACHE_BYTES = 16 * 1024 * 1024;

export function createPageCache(maxBytes = PAGE_CACHE_BYTES): PageCache {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recent.
  const pages = new Map<string, KeptPage>();
  let bytes = 0;
  const weight = (key: string, page: KeptPage) => 2 * (key.length + page.html.length);
  return {
    get(key) {
      const page = pages.get(key);
      if (page !== undefined) {
        pages.delete(key);
        pages.set(key, page);
      }
      return page;
    },
    set(key, page) {
      if (weight(key, page) > maxBytes) return;
      const old = pages.get(key);
      if (old !== undefined) {
        bytes -= weight(key, old);
        pages.delete(key);
      }
      pages.set(key, page);
      bytes += weight(key, page);
      for (const [k, v] of pages) {
        if (bytes <= maxBytes) break;
        pages.delete(k);
        bytes -= weight(k, v);
      }
    },
    size: () => ({ entries: pages.size, bytes }),
  };
}

/** The key of this request's page under `version`, or null when the page may not be kept (a
 *  signed-in user, a flash message waiting). */
export function pageKey(req: Request, res: Response, version: string): string | null {
  if (req.user || (Array.isArray(res.locals.flash) && res.locals.flash.length > 0)) return null;
  return `${req.lang}|${req.originalUrl}|${version}`;
}

/** The anonymous pages kept: the calls, the catalogue, the registry and the public disclosure pages
 *  (their CSV, chart and package downloads are not rendered views, so never kept). */
export const KEPT_PATHS = /^\/(?:calls(?:\/\d+)?|catalog|registry(?:\/\d+)?|public(?:\/[\w\-/]*)?)$/;

const KEPT_HEADERS = ['Cache-Control', 'ETag', 'Last-Modified'];

/**
 * For an anonymous GET of a kept path: the kept page when there is one (or a 304 when the visitor's
 * copy is that page), else the route renders as usual and its page is kept on the way out.
 */
export function keepAnonymousPages(deps: Pick<AppDeps, 'db' | 'clock'>, cache = createPageCache()): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' || req.user || !KEPT_PATHS.test(req.path)) return next();
    const now = deps.clock.now();
    const key = pageKey(req, res, `${await versionOfPublicData(deps.db, now)}|${shanghaiYear(now)}`);
    if (key === null) return next();
    const kept = cache.get(key);
    if (kept) {
      for (const [name, value] of Object.entries(kept.headers)) res.setHeader(name, value);
      const given = req.headers['if-none-match'];
      if (given && kept.headers.ETag && given.split(',').some((t) => t.trim() === kept.headers.ETag))
        return void res.status(304).end();
      return void res.type('html').send(kept.html);
    }
    keepOnRender(req, res, cache, key);
    next();
  };
}

/** res.render for this response, keeping what it sends when the page is the same for everyone. */
function keepOnRender(req: Request, res: Response, cache: PageCache, key: string) {
  let personal = false;
  const token = res.locals.csrfToken as (() => string) | undefined;
  res.locals.csrfToken = () => {
    personal = true;
    return token ? token() : '';
  };
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object | ((e: Error, html: string) => void), callback?: unknown) => {
    // A caller that handles the result itself (a PDF of a view, an e-mail) is left alone.
    if (typeof options === 'function' || callback) return render(view, options as object, callback as never);
    render(view, options ?? {}, (err: Error | null, html: string) => {
      if (err) return req.next!(err);
      if (!personal && res.statusCode === 200 && !res.getHeader('Set-Cookie')) {
        // Every kept page gets a validator, so a visitor's repeat view can be a 304.
        if (!res.getHeader('ETag'))
          res.setHeader('ETag', `W/"${crypto.createHash('sha256').update(key).digest('hex').slice(0, 32)}"`);
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        cache.set(key, { html, headers });
      }
      res.send(html);
    });
  }) as Response['render'];
}
