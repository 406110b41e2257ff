import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { pageNumber } from '../../shared/pagination';
import { Forbidden, NotFound } from '../../web/errors';
import { findStreetOffice } from '../streets';
import { shanghaiYear } from '../../shared/time';
import { canReadStreetFunds, canWriteStreetFunds, readableStreetIds } from './policy';
import * as q from './queries';
import { parseYear } from './schemas';
import { FUND_SOURCES, MAX_YEAR, MIN_YEAR } from './ledger';
import { viewHelpers } from './view-helpers';

/** The district overview of every street-year, and one street-year's balances and ledger. */
export function pageHandlers(deps: AppDeps) {
  async function overview(req: Request, res: Response) {
    const user = req.user!;
    const year = parseYear(req.query.year);
    const belowOnly = req.query.below === '1';
    const page = await q.overview(
      deps.db,
      { streetIds: readableStreetIds(user), currentYear: shanghaiYear(deps.clock.now()), year, belowOnly },
      pageNumber(req.query.page),
    );
    const query = `${year ? `year=${year}&` : ''}${belowOnly ? 'below=1&' : ''}`;
    res.render('funds/overview', {
      title: req.t('funds.overviewTitle'),
      page,
      query,
      filter: { year: year ? String(year) : '', belowOnly },
      canWrite: user.role === 'admin' || user.role === 'manager',
      ...viewHelpers,
    });
  }

  async function streetYear(req: Request, res: Response) {
    const streetId = Number(req.params.streetOfficeId);
    const year = parseYear(req.params.year);
    if (!Number.isInteger(streetId) || year === null) throw new NotFound();
    if (!canReadStreetFunds(req.user!, streetId)) throw new Forbidden();
    const street = await findStreetOffice(deps.db, streetId);
    if (!street) throw new NotFound();
    const [summary, entries] = await Promise.all([
      q.streetYearSummary(deps.db, streetId, year),
      q.ledger(deps.db, streetId, year, pageNumber(req.query.page)),
    ]);
    const total = summary.find((r) => r.source === 'total')!;
    const bySource = new Map(summary.map((r) => [r.source, r]));
    res.render('funds/street-year', {
      title: req.t('funds.streetYearTitle', { street: street.name, year }),
      street,
      year,
      rows: FUND_SOURCES.map((source) => ({ source, ...(bySource.get(source) ?? emptyRow()) })),
      total,
      entries,
      canWrite: canWriteStreetFunds(req.user!, streetId),
      prevYear: year > MIN_YEAR ? year - 1 : null,
      nextYear: year < MAX_YEAR ? year + 1 : null,
      ...viewHelpers,
    });
  }

  return { overview, streetYear };
}

function emptyRow(): q.FundRow {
  return {
    allocated: 0,
    reserved: 0,
    committed: 0,
    paid: 0,
    available: 0,
    prev_allocated: 0,
    growth: 0,
    growth_bp: null,
  };
}
