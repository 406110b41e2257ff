import type { Request } from 'express';
import { safeLocalPath } from './redirect';

/**
 * Where an error page sends its user back to: the page they came from. A refused form (a POST, or a
 * page reached by a link) came from the record's page, which the browser names in Referer; only a
 * path on this site is taken, never another host. Without a Referer (some privacy settings strip it)
 * a refused POST goes back to the record the action belongs to: its URL without the last segment
 * (`/reviews/calls/5/scoring-closure` -> `/reviews/calls/5`). Null when neither says anything better
 * than the home page.
 */
export function wayBack(req: Request): string | null {
  const here = req.originalUrl.split('?')[0];
  const fromReferer = refererPath(req);
  if (fromReferer && (fromReferer.split('?')[0] !== here || req.method !== 'GET')) return fromReferer;
  if (req.method === 'GET') return null;
  const parent = here.replace(/\/[^/]+\/?$/, '');
  return parent && parent !== here ? safeLocalPath(parent, '') || null : null;
}

function refererPath(req: Request): string | null {
  const referer = req.get('referer');
  if (!referer) return null;
  try {
    const url = new URL(referer);
    const host = req.get('host');
    if (!host || url.host !== host) return null;
    const path = safeLocalPath(url.pathname + url.search, '');
    return path && path !== '/' ? path : null;
  } catch {
    return null;
  }
}
