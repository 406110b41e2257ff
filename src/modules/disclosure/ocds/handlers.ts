import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../../../deps';
import { DomainError, NotFound } from '../../../web/errors';
import { notModified } from '../freshness';
import { Unprocessable, pathYear } from '../input';
import { shanghaiYear, streetOffice } from '../queries';
import { callData, publishedCallIds } from './data';
import { bulkPackageChunks, callIdOfOcid, recordPackage, releasePackage } from './release';

/** The open data endpoints. Errors answer in JSON with the message in the reader's language. */
export function ocdsHandlers(deps: AppDeps) {
  const settings = deps.config.ocds;

  const json =
    (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) => {
      try {
        await fn(req, res);
      } catch (err) {
        if (!(err instanceof DomainError) || res.headersSent) return next(err);
        res
          .status(err.status)
          .type('application/json')
          .send(JSON.stringify({ error: req.t(err.messageKey, err.params), status: err.status }));
      }
    };

  /** "<ocid>.json" → the call id; a name of another form → 422 saying what an ocid looks like. */
  function callIdOf(file: unknown): number {
    const name = String(file ?? '');
    const ocid = name.endsWith('.json') ? name.slice(0, -5) : name;
    const id = callIdOfOcid(settings, ocid);
    if (id === null) throw new Unprocessable('disclosure.errors.badOcid', { example: `${settings.ocidPrefix}-call-1` });
    return id;
  }

  async function call(req: Request) {
    const data = await callData(deps.db, callIdOf(req.params.file), deps.clock.now());
    if (!data) throw new NotFound('disclosure.errors.noSuchOcid');
    return data;
  }

  /** Last-Modified: the newest release's date, or the deadline once passed (the number of tenderers
   *  appears then without a release of its own). */
  const lastChange = (releases: { date: string }[], _req: Request) => {
    const dates = releases.map((r) => r.date);
    return dates.sort()[dates.length - 1];
  };

  const send = (res: Response, body: unknown) => res.type('application/json').send(JSON.stringify(body));

  return {
    release: json(async (req, res) => {
      const pkg = releasePackage(await call(req), settings, deps.clock.now());
      if (await notModified(deps, req, res, lastChange(pkg.releases, req))) return;
      send(res, pkg);
    }),
    record: json(async (req, res) => {
      const data = await call(req);
      const now = deps.clock.now();
      const pkg = recordPackage(data, settings, now);
      if (await notModified(deps, req, res, lastChange(releasePackage(data, settings, now).releases, req))) return;
      send(res, pkg);
    }),
    /** One street office's fund year, streamed call by call so a big year never sits in memory whole. */
    bulk: json(async (req, res) => {
      const m = /^([1-9]\d{0,9})-(\d{1,6})\.json$/.exec(String(req.params.file));
      if (!m) throw new Unprocessable('disclosure.errors.badPackageName');
      const year = pathYear(m[2], shanghaiYear(deps.clock.now()));
      const street = await streetOffice(deps.db, Number(m[1]));
      if (!street) throw new NotFound('disclosure.errors.noSuchStreet');
      const ids = await publishedCallIds(deps.db, street.id, year);
      if (!ids.length) throw new NotFound('disclosure.errors.noCalls', { street: street.name, year });
      if (await notModified(deps, req, res)) return;
      res.type('application/json');
      for await (const chunk of bulkPackageChunks(
        deps.db,
        settings,
        `${settings.baseUrl}/ocds/packages/${street.id}-${year}.json`,
        ids,
        deps.clock.now(),
      ))
        res.write(chunk);
      res.end();
    }),
  };
}
