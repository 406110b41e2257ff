import type { Request, RequestHandler, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { idParam } from '../../web/path-id';
import { once } from '../../web/once';
import { csrfAfterUpload } from '../../web/csrf';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues } from '../../web/forms';
import { routeTable } from '../../web/routes';
import { sendStoredFile } from '../../files/storage';
import { filesToChooseAgain, uploadedFiles } from '../../files/uploads';
import { ALLOWED_EXTENSIONS } from '../../files/signatures';
import { pageNumber } from '../../shared/pagination';
import { listStreetOffices } from '../streets';
import { shanghaiYear } from '../../shared/time';
import { listCategories, usableItems, PROCUREMENT_METHODS, parseModuleForm } from '../catalog';
import { FUND_SOURCES, InsufficientFunds, streetYearBalances } from '../funds';
import { toCallInput } from './input';
import { canManageCall, canSeeCall, effectiveStatus } from './policy';
import { evaluationWeightsOf, formValuesOf, presentAmendments } from './present';
import * as q from './queries';
import { amountField, callFormSchema, cancelSchema, criterionNameField, criterionWeightField, DEFAULT_CITIZEN_MIN_RATINGS, DEFAULT_MAX_ADVANCE_PERCENT, DEFAULT_PUBLICITY_DAYS, DEFAULT_REVIEW_DAYS, FUNDING_MODES, weightField, type CallForm } from './schemas';
import * as service from './service';
import { CRITERION_ROWS, DEFAULT_EVALUATION_WEIGHTS, EVALUATION_SOURCES } from './weights';

type AcceptFiles = (fields: { name: string; maxCount: number }[]) => RequestHandler;
const MAX_DOCUMENTS = 5;

/** Calls for bids and venture calls: the public browses published calls; a street office's managers
 *  draft, publish, amend and cancel their own. */
export function callRoutes(deps: AppDeps, acceptFiles: AcceptFiles) {

  /** Loads a call the user may see; a draft of another street office is not found, not even its title. */
  async function load(req: Request) {
    const call = await q.findCall(deps.db, idParam(req));
    if (!call || !canSeeCall(req.user, call)) throw new NotFound();
    return call;
  }
  async function loadManaged(req: Request) {
    const call = await load(req);
    if (!canManageCall(req.user, call)) throw new Forbidden('calls.errors.notYours');
    return call;
  }

  function filterQuery(raw: Record<string, string>) {
    return Object.entries(raw)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}&`)
      .join('');
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 40) : '');
  const num = (v: unknown) => (/^\d{1,9}$/.test(str(v)) ? Number(v) : undefined);

  async function list(req: Request, res: Response) {
    const status = (q.PUBLIC_STATUS_FILTERS as readonly string[]).includes(str(req.query.status)) ? (str(req.query.status) as q.PublicStatusFilter) : 'open';
    const method = (PROCUREMENT_METHODS as readonly string[]).includes(str(req.query.method)) ? str(req.query.method) : '';
    const raw = { category: str(req.query.category), street: str(req.query.street), method, status };
    const now = deps.clock.now();
    const [page, categories, streets] = await Promise.all([
      q.listCalls(deps.db, { categoryId: num(req.query.category), streetOfficeId: num(req.query.street), method: method || undefined, status }, now.toISOString(), pageNumber(req.query.page)),
      listCategories(deps.db),
      listStreetOffices(deps.db),
    ]);
    res.render('calls/list', {
      title: req.t('calls.title'),
      page,
      categories,
      streets,
      methods: PROCUREMENT_METHODS,
      statuses: q.PUBLIC_STATUS_FILTERS,
      filter: raw,
      query: filterQuery(raw),
      statusOf: (c: q.CallRow) => effectiveStatus(c, now),
    });
  }

  async function mine(req: Request, res: Response) {
    const user = req.user!;
    const status = str(req.query.status) === 'draft' ? 'draft' : 'any';
    const now = deps.clock.now();
    const streetOfficeId = user.role === 'manager' ? user.streetOfficeId! : undefined;
    const page = await q.listCalls(deps.db, { streetOfficeId, status }, now.toISOString(), pageNumber(req.query.page));
    res.render('calls/mine', {
      title: user.role === 'manager' ? req.t('calls.mineTitle') : req.t('calls.allTitle'),
      page,
      onlyDrafts: status === 'draft',
      query: status === 'draft' ? 'status=draft&' : '',
      canDraft: user.role === 'manager',
      statusOf: (c: q.CallRow) => effectiveStatus(c, now),
    });
  }

  async function renderShow(req: Request, res: Response, call: q.CallView, status = 200, locals: Record<string, unknown> = {}) {
    const [sources, criteria, documents, amendments] = await Promise.all([
      q.callSources(deps.db, call.id),
      q.callCriteria(deps.db, call.id),
      q.callDocuments(deps.db, call.id),
      q.callAmendments(deps.db, call.id),
    ]);
    const now = deps.clock.now();
    const state = effectiveStatus(call, now);
    res.status(status).render('calls/show', {
      title: call.title,
      call,
      state,
      sources,
      criteria,
      documents,
      evaluationWeights: evaluationWeightsOf(call),
      amendments: presentAmendments(amendments, req.t, req.lang),
      canManage: canManageCall(req.user, call),
      errors: {},
      formError: null,
      values: {},
      ...locals,
    });
  }

  async function show(req: Request, res: Response) {
    await renderShow(req, res, await load(req));
  }

  async function renderForm(req: Request, res: Response, status: number, locals: { call: q.CallView | null; values: Record<string, string>; errors?: Record<string, string>; formError?: string | null }) {
    const user = req.user!;
    const year = Number(locals.values.budgetYear) || shanghaiYear(deps.clock.now());
    const [items, balances] = await Promise.all([usableItems(deps.db, user.streetOfficeId!), streetYearBalances(deps.db, user.streetOfficeId!, year)]);
    res.status(status).render('calls/form', {
      title: locals.call ? (locals.call.status === 'draft' ? req.t('calls.editTitle') : req.t('calls.amendTitle')) : req.t('calls.newTitle'),
      items,
      balances,
      balanceYear: year,
      fundingModes: FUNDING_MODES,
      methods: PROCUREMENT_METHODS,
      fundSources: FUND_SOURCES,
      evaluationSources: EVALUATION_SOURCES,
      criterionRows: CRITERION_ROWS,
      names: { amountField, weightField, criterionNameField, criterionWeightField },
      allowed: ALLOWED_EXTENSIONS.join(', '),
      maxMb: Math.round(deps.config.uploadMaxBytes / 1024 / 1024),
      maxDocuments: MAX_DOCUMENTS,
      errors: {},
      formError: null,
      ...locals,
    });
  }

  async function newForm(req: Request, res: Response) {
    const values: Record<string, string> = { budgetYear: String(shanghaiYear(deps.clock.now())), publicityDays: String(DEFAULT_PUBLICITY_DAYS), maxAdvancePercent: String(DEFAULT_MAX_ADVANCE_PERCENT), reviewDays: String(DEFAULT_REVIEW_DAYS), citizenMinRatings: String(DEFAULT_CITIZEN_MIN_RATINGS), fundingMode: 'project_purchase', method: 'contract_outsourcing' };
    for (const s of EVALUATION_SOURCES) values[weightField(s)] = String(DEFAULT_EVALUATION_WEIGHTS[s]);
    if (typeof req.query.item === 'string' && /^\d{1,9}$/.test(req.query.item)) values.catalogItemId = req.query.item;
    await renderForm(req, res, 200, { call: null, values });
  }

  /** Parse, check and save; on any refusal the same form comes back with the typed values. */
  async function submit(req: Request, res: Response, call: q.CallView | null) {
    const again = (status: number, errors: Record<string, string>, formError: string | null = null) => {
      // The chosen documents are not kept by a refused form: say so next to the file field.
      const dropped = filesToChooseAgain(req).documents;
      const withFiles = dropped && !errors.documents ? { ...errors, documents: req.t('uploads.chooseAgain', { names: dropped.join((req.lang === 'en' ? ', ' : '、')) }) } : errors;
      return renderForm(req, res, status, { call, values: formValues(req.body), errors: withFiles, formError });
    };
    if (req.uploadProblem) {
      const { status, messageKey, params } = req.uploadProblem;
      return again(status, { documents: req.t(messageKey, params) });
    }
    const form = parseModuleForm(callFormSchema, req.body, req.t);
    if (!form.ok) return again(422, form.errors);
    const { input, problems } = toCallInput(form.data as CallForm, deps.clock.now());
    if (Object.keys(problems).length) return again(422, translateProblems(req, problems));
    const files = uploadedFiles(req, 'documents');
    try {
      if (!call) {
        const id = await once(req, deps.db, 'calls.draft', (actor) => service.createDraft(deps, actor, req.user!, input, files));
        flash(req, 'success', req.t('calls.drafted'));
        return res.redirect(303, `/calls/${id}`);
      }
      const outcome = await service.saveCall(deps, actorOf(req), req.user!, call.id, input, files);
      flash(req, outcome === 'unchanged' ? 'info' : 'success', req.t(`calls.outcome.${outcome}`));
      return res.redirect(303, `/calls/${call.id}`);
    } catch (err) {
      if (err instanceof service.CallProblems) return again(422, translateProblems(req, err.problems));
      // A document whose content does not match its extension (storeFile).
      if (err instanceof ValidationFailed) {
        return again(422, Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, req.t(v, { allowed: ALLOWED_EXTENSIONS.join(', ') })])));
      }
      if (err instanceof InvalidState) return again(409, {}, req.t(err.messageKey, err.params));
      throw err;
    }
  }

  async function editForm(req: Request, res: Response) {
    const call = await loadManaged(req);
    if (!['draft', 'published'].includes(effectiveStatus(call, deps.clock.now()))) throw new InvalidState('calls.errors.notEditable');
    const [sources, criteria] = await Promise.all([q.callSources(deps.db, call.id), q.callCriteria(deps.db, call.id)]);
    await renderForm(req, res, 200, { call, values: formValuesOf(call, sources, criteria) });
  }

  async function publish(req: Request, res: Response) {
    const call = await loadManaged(req);
    try {
      await service.publishCall(deps, actorOf(req), req.user!, call.id);
    } catch (err) {
      if (err instanceof service.CallProblems) return renderShow(req, res, call, 422, { formError: Object.values(translateProblems(req, err.problems)).join('；') });
      if (err instanceof InsufficientFunds) return renderShow(req, res, call, 422, { formError: req.t(err.messageKey, err.params) });
      throw err;
    }
    flash(req, 'success', req.t('calls.published'));
    res.redirect(303, `/calls/${call.id}`);
  }

  async function cancel(req: Request, res: Response) {
    const call = await loadManaged(req);
    const form = parseModuleForm(cancelSchema, req.body, req.t);
    if (!form.ok) return renderShow(req, res, call, 422, { errors: form.errors, values: formValues(req.body) });
    await service.cancelCall(deps, actorOf(req), req.user!, call.id, form.data.reason);
    flash(req, 'success', req.t('calls.cancelled'));
    res.redirect(303, `/calls/${call.id}`);
  }

  async function download(req: Request, res: Response) {
    const call = await load(req);
    const doc = await q.findCallDocument(deps.db, call.id, idParam(req, 'documentId'));
    if (!doc) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, { ...doc, id: doc.file_id, uploaded_by: null });
  }

  const managers = ['manager'] as const;
  const upload = acceptFiles([{ name: 'documents', maxCount: MAX_DOCUMENTS }]);
  return routeTable([
    { method: 'get', path: '/calls', access: 'public', handler: list },
    { method: 'get', path: '/my/calls', access: ['manager', 'admin'], handler: mine },
    { method: 'get', path: '/calls/new', access: managers, handler: newForm },
    { method: 'post', path: '/calls', access: managers, handler: [upload, csrfAfterUpload, (req, res) => submit(req, res, null)] },
    { method: 'get', path: '/calls/:id', access: 'public', handler: show },
    { method: 'get', path: '/calls/:id/edit', access: managers, handler: editForm },
    { method: 'post', path: '/calls/:id', access: managers, handler: [upload, csrfAfterUpload, async (req, res) => submit(req, res, await loadManaged(req))] },
    { method: 'post', path: '/calls/:id/publication', access: managers, handler: publish },
    { method: 'post', path: '/calls/:id/cancellation', access: managers, handler: cancel },
    { method: 'get', path: '/calls/:id/documents/:documentId', access: 'public', handler: download },
  ]);
}
