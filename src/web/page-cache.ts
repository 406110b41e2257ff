import type { Request, Response } from 'express';

/**
 * Rendered pages kept in memory for anonymous visitors, each under a key that names everything the
 * page depends on (the URL, the language and the caller's version of the data, e.g. the public data
 * version of disclosure/freshness.ts). A new version is a new key, so nothing is ever invalidated:
 * old entries age out, least recently used first, within a byte budget.
 *
 * A page is kept only when it is the same for every anonymous visitor: no signed-in user, no flash
 * message, no form token asked for while rendering, no cookie set, status 200. Anything else is
 * rendered and sent as usual, and not kept.
 */
export interface PageCache {
  get(key: string): string | undefined;
  set(key: string, html: string): void;
  /** Entries and bytes held (for tests and the benchmark's notes). */
  size(): { entries: number; bytes: number };
}

/** 16 MB of pages: about a thousand public pages of 16 KB, well inside the memory budget. */
export const PAGE_CACHE_BYTES = 16 * 1024 * 1024;

export function createPageCache(maxBytes = PAGE_CACHE_BYTES): PageCache {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recent.
  const pages = new Map<string, string>();
  let bytes = 0;
  const weight = (key: string, html: string) => 2 * (key.length + html.length);
  return {
    get(key) {
      const html = pages.get(key);
      if (html !== undefined) {
        pages.delete(key);
        pages.set(key, html);
      }
      return html;
    },
    set(key, html) {
      if (weight(key, html) > maxBytes) return;
      const old = pages.get(key);
      if (old !== undefined) {
        bytes -= weight(key, old);
        pages.delete(key);
      }
      pages.set(key, html);
      bytes += weight(key, html);
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

/** Sends the kept page for `key`; true when it did. */
export function sendKept(cache: PageCache, res: Response, key: string | null): boolean {
  const html = key === null ? undefined : cache.get(key);
  if (html === undefined) return false;
  res.type('html').send(html);
  return true;
}

/** res.render, keeping the result under `key` when it is the same for every anonymous visitor.
 *  Resolves when sent; rejects with a rendering error (the route's error handling takes it). */
export function renderKeeping(
  cache: PageCache,
  res: Response,
  key: string | null,
  view: string,
  locals: Record<string, unknown>,
): Promise<void> {
  if (key === null) {
    res.render(view, locals);
    return Promise.resolve();
  }
  let personal = false;
  const token = res.locals.csrfToken as (() => string) | undefined;
  res.locals.csrfToken = () => {
    personal = true;
    return token ? token() : '';
  };
  return new Promise((resolve, reject) =>
    res.render(view, locals, (err: Error | null, html: string) => {
      res.locals.csrfToken = token;
      if (err) return reject(err);
      if (!personal && res.statusCode === 200 && !res.getHeader('Set-Cookie')) cache.set(key, html);
      res.send(html);
      resolve();
    }),
  );
}
