import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { publicCaching } from '../../web/caching';
import { pageKey } from '../../web/page-cache';

/**
 * Validators for the public packages and charts. Every change the public can see is an audited
 * state change (one audit event in the same transaction), except one: a call's deadline passing,
 * which reveals the number of tenderers without any write. So the version of the public data is the
 * audit chain's last event id plus the number of published calls whose deadline has passed; the
 * ETag hashes that with the URL and the language. A 304 costs two indexed single-row reads.
 */
export async function publicVersion(deps: AppDeps): Promise<string> {
  const now = deps.clock.now().toISOString();
  const [head, closed] = await Promise.all([
    deps.db('audit_chain_head').where({ id: 1 }).first('last_event_id'),
    deps.db('calls').where('status', 'published').where('closes_at', '<=', now).count({ n: '*' }).first(),
  ]);
  return `${Number(head?.last_event_id ?? 0)}.${Number(closed?.n ?? 0)}`;
}

/** Sets ETag (and Cache-Control) and answers 304 when the client's copy is current; true when answered.
 *  `variant`: anything else the representation depends on without a write (a page's current year). */
export async function notModified(
  deps: AppDeps,
  req: Request,
  res: Response,
  lastModified?: string,
  variant = '',
  version?: string,
): Promise<boolean> {
  version ??= await publicVersion(deps);
  const tag = `W/"${crypto
    .createHash('sha256')
    .update(`${req.originalUrl.split('?')[0]}|${req.lang}|${version}${variant ? `|${variant}` : ''}`)
    .digest('hex')
    .slice(0, 32)}"`;
  res.setHeader('ETag', tag);
  res.setHeader('Cache-Control', publicCaching(req));
  if (lastModified) res.setHeader('Last-Modified', new Date(lastModified).toUTCString());
  const given = req.headers['if-none-match'];
  if (
    given &&
    given
      .split(',')
      .map((s) => s.trim())
      .includes(tag)
  ) {
    res.status(304).end();
    return true;
  }
  return false;
}

/**
 * A public page for an anonymous visitor: its ETag (answered 304 when the visitor's copy is current)
 * and the key under which the rendered page is kept (web/page-cache.ts), both from one reading of
 * the public version. `variant`: what else the page depends on without a write (the current year,
 * the query string). A signed-in visitor gets neither: their page is always rendered.
 */
export async function anonymousPage(
  deps: AppDeps,
  req: Request,
  res: Response,
  variant: string,
): Promise<{ answered: boolean; key: string | null }> {
  if (req.user) return { answered: false, key: null };
  const version = await publicVersion(deps);
  if (await notModified(deps, req, res, undefined, variant, version)) return { answered: true, key: null };
  return { answered: false, key: pageKey(req, res, `${version}|${variant}`) };
}
