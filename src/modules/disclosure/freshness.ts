import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { publicCaching } from '../../web/caching';
import { versionOfPublicData } from '../../web/public-version';

/** Sets ETag (and Cache-Control) and answers 304 when the client's copy is current; true when answered.
 *  The ETag hashes the URL, the language and the version of the public data (web/public-version.ts:
 *  the audit head and the deadlines passed), so a 304 costs two indexed single-row reads.
 *  `variant`: anything else the representation depends on without a write (a page's current year). */
export async function notModified(
  deps: AppDeps,
  req: Request,
  res: Response,
  lastModified?: string,
  variant = '',
): Promise<boolean> {
  const version = await versionOfPublicData(deps.db, deps.clock.now());
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
