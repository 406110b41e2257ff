import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { idParam } from '../../web/path-id';
import { NotFound } from '../../web/errors';
import { sendStoredFile } from '../../files/storage';
import { pageNumber, parseCursor } from '../../shared/pagination';
import { listStreetOffices } from '../streets';
import { listCategories, PROCUREMENT_METHODS } from '../catalog';
import { callLoaders } from './load';
import { canManageCall, effectiveStatus } from './policy';
import { evaluationWeightsOf, presentAmendments } from './present';
import * as q from './queries';

/** The public's pages: the list of calls, a call, its documents; and a manager's own calls. */
export function pageHandlers(deps: AppDeps) {
  const { load } = callLoaders(deps);

  function filterQuery(raw: Record<string, string>) {
    return Object.entries(raw)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}&`)
      .join('');
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 40) : '');
  const num = (v: unknown) => (/^\d{1,9}$/.test(str(v)) ? Number(v) : undefined);

  async function list(req: Request, res: Response) {
    const status = (q.PUBLIC_STATUS_FILTERS as readonly string[]).includes(str(req.query.status))
      ? (str(req.query.status) as q.PublicStatusFilter)
      : 'open';
    const method = (PROCUREMENT_METHODS as readonly string[]).includes(str(req.query.method))
      ? str(req.query.method)
      : '';
    const raw = { category: str(req.query.category), street: str(req.query.street), method, status };
    const now = deps.clock.now();
    const [page, categories, streets] = await Promise.all([
      q.listCalls(
        deps.db,
        {
          categoryId: num(req.query.category),
          streetOfficeId: num(req.query.street),
          method: method || undefined,
          status,
        },
        now.toISOString(),
        pageNumber(req.query.page),
        parseCursor(req.query, q.CALL_LIST_ORDER),
      ),
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
    const page = await q.listCalls(
      deps.db,
      { streetOfficeId, status },
      now.toISOString(),
      pageNumber(req.query.page),
      parseCursor(req.query, q.CALL_LIST_ORDER),
    );
    res.render('calls/mine', {
      title: user.role === 'manager' ? req.t('calls.mineTitle') : req.t('calls.allTitle'),
      page,
      onlyDrafts: status === 'draft',
      query: status === 'draft' ? 'status=draft&' : '',
      canDraft: user.role === 'manager',
      statusOf: (c: q.CallRow) => effectiveStatus(c, now),
    });
  }

  async function show(req: Request, res: Response) {
    await renderShow(deps, req, res, await load(req));
  }

  async function download(req: Request, res: Response) {
    const call = await load(req);
    const doc = await q.findCallDocument(deps.db, call.id, idParam(req, 'documentId'));
    if (!doc) throw new NotFound();
    await sendStoredFile(res, deps.config.uploadDir, { ...doc, id: doc.file_id, uploaded_by: null });
  }

  return { list, mine, show, download };
}

/** The call's page; `locals` re-shows a refused cancellation or publication on it. */
export async function renderShow(
  deps: AppDeps,
  req: Request,
  res: Response,
  call: q.CallView,
  status = 200,
  locals: Record<string, unknown> = {},
) {
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
