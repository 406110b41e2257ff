import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { pageNumber } from '../../shared/pagination';
import { formatMoney } from '../../shared/money';
import { actorOf } from '../../web/actor';
import { once, onceKeyFrom } from '../../web/once';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues, parseForm } from '../../web/forms';
import { routeTable } from '../../web/routes';
import { findStreetOffice, listStreetOffices } from '../streets';
import { recordAllocation, reverseAllocation, ReversalBlocked } from './allocations';
import { formatGrowthPercent, formatSignedMoney } from './format';
import { shanghaiYear } from '../../shared/time';
import { canReadStreetFunds, canWriteStreetFunds, readableStreetIds } from './policy';
import * as q from './queries';
import { allocationSchema, parseYear, reversalSchema } from './schemas';
import { ANNUAL_FLOOR_FEN, FUND_SOURCES, MAX_YEAR, MIN_YEAR } from './service';

const READERS = ['manager', 'approver', 'admin', 'auditor'] as const;
const WRITERS = ['manager', 'admin'] as const;

/** Funds of each street office per year: the district overview, a street-year's balances and
 *  ledger, recording allocations and reversing them. */
export function fundsRoutes(deps: AppDeps) {
  const helpers = { growthPercent: formatGrowthPercent, signedMoney: formatSignedMoney, floorFen: ANNUAL_FLOOR_FEN, sources: FUND_SOURCES };
  const streetYearPath = (streetId: number, year: number) => `/funds/streets/${streetId}/years/${year}`;

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
      ...helpers,
    });
  }

  async function streetYear(req: Request, res: Response) {
    const streetId = Number(req.params.streetOfficeId);
    const year = parseYear(req.params.year);
    if (!Number.isInteger(streetId) || year === null) throw new NotFound();
    if (!canReadStreetFunds(req.user!, streetId)) throw new Forbidden();
    const street = await findStreetOffice(deps.db, streetId);
    if (!street) throw new NotFound();
    const [summary, entries] = await Promise.all([q.streetYearSummary(deps.db, streetId, year), q.ledger(deps.db, streetId, year, pageNumber(req.query.page))]);
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
      ...helpers,
    });
  }

  async function streetOptions(user: Express.User) {
    const streets = await listStreetOffices(deps.db);
    return user.role === 'admin' ? streets : streets.filter((s) => s.id === user.streetOfficeId);
  }

  async function renderAllocationForm(req: Request, res: Response, status: number, values: Record<string, string>, errors: Record<string, string> = {}, formError?: string) {
    res.status(status).render('funds/allocation-form', {
      formError,
      title: req.t('funds.allocate.title'),
      streets: await streetOptions(req.user!),
      values,
      errors,
      minYear: MIN_YEAR,
      maxYear: MAX_YEAR,
      ...helpers,
    });
  }

  async function allocationForm(req: Request, res: Response) {
    const user = req.user!;
    const street = typeof req.query.street === 'string' ? req.query.street : user.streetOfficeId ? String(user.streetOfficeId) : '';
    const year = parseYear(req.query.year) ?? shanghaiYear(deps.clock.now());
    const source = typeof req.query.source === 'string' && (FUND_SOURCES as readonly string[]).includes(req.query.source) ? req.query.source : 'fiscal';
    await renderAllocationForm(req, res, 200, { street_office_id: street, year: String(year), source });
  }

  async function createAllocation(req: Request, res: Response) {
    const user = req.user!;
    const values = formValues(req.body);
    const form = parseForm(allocationSchema, req.body, req.t);
    const errors: Record<string, string> = form.ok ? {} : { ...form.errors };
    if (errors.year) errors.year = req.t('funds.errors.year', { min: MIN_YEAR, max: MAX_YEAR });
    if (form.ok && form.data.amount === 0) errors.amount = req.t('funds.errors.amountPositive');
    // A street office id in the form is checked like a path: another street's, refused; none such, re-asked.
    const streetId = /^\d{1,9}$/.test(values.street_office_id ?? '') ? Number(values.street_office_id) : null;
    const street = streetId === null ? undefined : await findStreetOffice(deps.db, streetId);
    if (street && !canWriteStreetFunds(user, street.id)) throw new Forbidden();
    if (!street && !errors.street_office_id) errors.street_office_id = req.t('validation.choose');
    if (!form.ok || Object.keys(errors).length || !street) return renderAllocationForm(req, res, 422, values, errors);

    // Money: a post without the form's one-time key (a script, not our form) is not taken, since
    // nothing could tell its repetition from a second allocation.
    if (!onceKeyFrom(req, 'funds.allocation')) return renderAllocationForm(req, res, 422, values, {}, req.t('errors.onceKeyMissing'));
    const { year, source, amount, note } = form.data;
    await once(req, deps.db, 'funds.allocation', (actor) => recordAllocation(deps, actor, user, { streetOfficeId: street.id, year, source, amountFen: amount, note }));
    flash(req, 'success', req.t('funds.allocate.done', { street: street.name, year, source: req.t(`funds.sources.${source}`), amount: formatMoney(amount) }));
    res.redirect(303, streetYearPath(street.id, year));
  }

  /** The allocation entry to reverse, if this user may reverse it and it can still be reversed. */
  async function loadReversible(req: Request) {
    const entry = await q.findEntry(deps.db, Number(req.params.id) || 0);
    if (!entry) throw new NotFound();
    if (!canWriteStreetFunds(req.user!, entry.street_office_id)) throw new Forbidden();
    if (entry.kind !== 'allocation') throw new InvalidState('funds.reverse.notAllocation');
    if (entry.reversed_by_id) throw new InvalidState('funds.reverse.alreadyReversed');
    return entry;
  }

  function renderReversalForm(req: Request, res: Response, entry: q.EntryWithStreet, status: number, locals: Record<string, unknown> = {}) {
    res.status(status).render('funds/reversal-form', { title: req.t('funds.reverse.title', { id: entry.id }), entry, values: {}, errors: {}, ...locals });
  }

  async function reversalForm(req: Request, res: Response) {
    renderReversalForm(req, res, await loadReversible(req), 200);
  }

  async function reverse(req: Request, res: Response) {
    const entry = await loadReversible(req);
    const values = formValues(req.body);
    const form = parseForm(reversalSchema, req.body, req.t);
    if (!form.ok) return renderReversalForm(req, res, entry, 422, { errors: form.errors, values });
    try {
      await reverseAllocation(deps, actorOf(req), req.user!, entry.id, form.data.reason);
    } catch (err) {
      if (!(err instanceof ReversalBlocked)) throw err;
      return renderReversalForm(req, res, entry, 422, { values, formError: req.t(err.messageKey, err.params) });
    }
    flash(req, 'success', req.t('funds.reverse.done', { id: entry.id, amount: formatMoney(entry.amount_fen) }));
    res.redirect(303, streetYearPath(entry.street_office_id, entry.year));
  }

  return routeTable([
    { method: 'get', path: '/funds', access: READERS, handler: overview },
    { method: 'get', path: '/funds/streets/:streetOfficeId/years/:year', access: READERS, handler: streetYear },
    { method: 'get', path: '/funds/allocations/new', access: WRITERS, handler: allocationForm },
    { method: 'post', path: '/funds/allocations', access: WRITERS, handler: createAllocation },
    { method: 'get', path: '/funds/entries/:id/reversal', access: WRITERS, handler: reversalForm },
    { method: 'post', path: '/funds/entries/:id/reversal', access: WRITERS, handler: reverse },
  ]);
}

function emptyRow(): q.FundRow {
  return { allocated: 0, reserved: 0, committed: 0, paid: 0, available: 0, prev_allocated: 0, growth: 0, growth_bp: null };
}
