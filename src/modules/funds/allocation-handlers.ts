import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { formatMoney } from '../../shared/money';
import { actorOf } from '../../web/actor';
import { once, onceKeyFrom } from '../../web/once';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues, parseForm } from '../../web/forms';
import { findStreetOffice, listStreetOffices } from '../streets';
import { recordAllocation, reverseAllocation, ReversalBlocked } from './allocations';
import { shanghaiYear } from '../../shared/time';
import { canWriteStreetFunds } from './policy';
import * as q from './queries';
import { allocationSchema, parseYear, reversalSchema } from './schemas';
import { FUND_SOURCES, MAX_YEAR, MIN_YEAR } from './ledger';
import { streetYearPath, viewHelpers } from './view-helpers';

/** Recording an allocation (下达) to a street-year's source, and reversing one. */
export function allocationHandlers(deps: AppDeps) {
  async function streetOptions(user: Express.User) {
    const streets = await listStreetOffices(deps.db);
    return user.role === 'admin' ? streets : streets.filter((s) => s.id === user.streetOfficeId);
  }

  async function renderAllocationForm(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, string>,
    errors: Record<string, string> = {},
    formError?: string,
  ) {
    res.status(status).render('funds/allocation-form', {
      formError,
      title: req.t('funds.allocate.title'),
      streets: await streetOptions(req.user!),
      values,
      errors,
      minYear: MIN_YEAR,
      maxYear: MAX_YEAR,
      ...viewHelpers,
    });
  }

  async function allocationForm(req: Request, res: Response) {
    const user = req.user!;
    const street =
      typeof req.query.street === 'string' ? req.query.street : user.streetOfficeId ? String(user.streetOfficeId) : '';
    const year = parseYear(req.query.year) ?? shanghaiYear(deps.clock.now());
    const source =
      typeof req.query.source === 'string' && (FUND_SOURCES as readonly string[]).includes(req.query.source)
        ? req.query.source
        : 'fiscal';
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
    if (!onceKeyFrom(req, 'funds.allocation'))
      return renderAllocationForm(req, res, 422, values, {}, req.t('errors.onceKeyMissing'));
    const { year, source, amount, note } = form.data;
    await once(req, deps.db, 'funds.allocation', (actor) =>
      recordAllocation(deps, actor, user, { streetOfficeId: street.id, year, source, amountFen: amount, note }),
    );
    flash(
      req,
      'success',
      req.t('funds.allocate.done', {
        street: street.name,
        year,
        source: req.t(`funds.sources.${source}`),
        amount: formatMoney(amount),
      }),
    );
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

  function renderReversalForm(
    req: Request,
    res: Response,
    entry: q.EntryWithStreet,
    status: number,
    locals: Record<string, unknown> = {},
  ) {
    res.status(status).render('funds/reversal-form', {
      title: req.t('funds.reverse.title', { id: entry.id }),
      entry,
      values: {},
      errors: {},
      ...locals,
    });
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

  return { allocationForm, createAllocation, reversalForm, reverse };
}
