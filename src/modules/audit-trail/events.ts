import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { NotFound } from '../../web/errors';
import { pageNumber } from '../../shared/pagination';
import { findEvent, findOpenedSealedLog, listEvents, sealedLogEvents, type EventFilters } from './queries';
import { SEALED_LOG_OPENED } from '../../audit/sealed';
import { filterQuery, parseCursor, parseFilters, type FilterValues } from './schemas';
import { describeEvents } from './describe';
import { eventDiff, userIdsIn } from './diff';
import { actionName, knownActions } from './labels';
import { exportCsv } from './export';
import { listStreetOffices } from '../streets';
import { trailScope } from './scope';

/** The trail's events, read-only: the list with its filters, one event, the CSV export and a call's
 *  sealed log. The administrator sees every event, an auditor those of their streets. */
export function eventHandlers(deps: AppDeps) {
  const streetsOf = (req: Request) => trailScope(req.user!);

  /** The street offices the reader may filter by: all (administrator) or their own. */
  async function streetChoices(req: Request) {
    const streets = streetsOf(req);
    const all = await listStreetOffices(deps.db);
    return all
      .filter((s) => !streets || streets.includes(s.id))
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ id: s.id, name: s.name }));
  }

  /** Parses and checks the filters against the reader's scope; errors are messages for a 422. */
  async function readFilters(
    req: Request,
  ): Promise<{ values: FilterValues; filters: EventFilters; errors: Record<string, string> }> {
    const { values, filters, errors } = parseFilters(req.query as Record<string, unknown>, req.t);
    const streets = streetsOf(req);
    if (filters.streetOfficeId && streets && !streets.includes(filters.streetOfficeId))
      errors.street = req.t('auditTrail.filters.streetNotYours');
    const { username, ...rest } = filters;
    const out: EventFilters = rest;
    if (username) {
      const user = await deps.db('users').where({ username }).first('id');
      if (user) out.userId = Number(user.id);
      else errors.user = req.t('auditTrail.filters.userUnknown', { username });
    }
    return { values, filters: out, errors };
  }

  /** The action filter's choices: per group (call, contract, …) "every action" and each action. */
  const actionChoices = (req: Request) => {
    const actions = knownActions();
    const groups = [...new Set(actions.map((a) => a.split('.')[0]))];
    return groups.map((g) => ({
      value: `${g}.`,
      label: req.t(`auditTrail.actionGroups.${g}`, { defaultValue: g }),
      actions: actions.filter((a) => a.startsWith(`${g}.`)).map((a) => ({ value: a, label: actionName(a, req.lang) })),
    }));
  };

  async function list(req: Request, res: Response) {
    const { values, filters, errors } = await readFilters(req);
    const failed = Object.keys(errors).length > 0;
    const page = failed
      ? null
      : await listEvents(
          deps.db,
          streetsOf(req),
          filters,
          parseCursor(req.query as Record<string, unknown>),
          deps.clock.now(),
        );
    const events = page ? await describeEvents(deps.db, page.items, req.user!, req.t, req.lang) : [];
    res.status(failed ? 422 : 200);
    res.render('audit-trail/list', {
      title: req.t('auditTrail.title'),
      page,
      events,
      values,
      errors,
      query: filterQuery(values),
      streets: await streetChoices(req),
      choices: actionChoices(req),
    });
  }

  async function show(req: Request, res: Response) {
    const id = Number(req.params.id);
    const event = Number.isSafeInteger(id) ? await findEvent(deps.db, streetsOf(req), id, deps.clock.now()) : undefined;
    if (!event) throw new NotFound();
    const [described] = await describeEvents(deps.db, [{ ...event, id: Number(event.id) }], req.user!, req.t, req.lang);
    const sealedLogCall = event.action === SEALED_LOG_OPENED ? Number(event.subject_id) : null;
    const ids = userIdsIn(event.before_json, event.after_json);
    const users = new Map<number, string>();
    if (ids.length) {
      for (const u of await deps.db('users').whereIn('id', ids).select('id', 'display_name', 'username'))
        users.set(Number(u.id), req.t('auditTrail.subjectNames.user', { name: u.display_name, username: u.username }));
    }
    res.render('audit-trail/show', {
      title: req.t('auditTrail.eventTitle', { id }),
      event: described,
      actionName: actionName(event.action, req.lang),
      diff: eventDiff(event.before_json, event.after_json, req.t, req.lang, users, event.subject_type),
      sealedLogCall,
    });
  }

  async function exportEvents(req: Request, res: Response) {
    const { filters, errors, values } = await readFilters(req);
    if (Object.keys(errors).length) {
      res.status(422);
      return res.render('audit-trail/list', {
        title: req.t('auditTrail.title'),
        page: null,
        events: [],
        values,
        errors,
        query: filterQuery(values),
        streets: await streetChoices(req),
        choices: actionChoices(req),
      });
    }
    await exportCsv(deps, req, res, streetsOf(req), filters, values);
  }

  /** A call's sealed log of bid events, readable once the opening of bids committed to it, by those
   *  who may read its bids: the administrator, the street's auditors and the street's managers. */
  async function sealedLog(req: Request, res: Response) {
    const log = await findOpenedSealedLog(deps.db, streetsOf(req), Number(req.params.callId));
    if (!log) throw new NotFound();
    const page = await sealedLogEvents(deps.db, log.call_id, pageNumber(req.query.page));
    const events = await describeEvents(
      deps.db,
      page.items.map((e) => ({ ...e, id: Number(e.seq) })),
      req.user!,
      req.t,
      req.lang,
    );
    res.render('audit-trail/sealed-log', {
      title: req.t('auditTrail.sealedLog.title', { call: log.call_title }),
      log,
      page,
      events,
    });
  }

  return { list, show, exportEvents, sealedLog };
}
