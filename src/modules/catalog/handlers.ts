import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { idParam } from '../../web/path-id';
import { Forbidden, NotFound } from '../../web/errors';
import { submitForm } from '../../web/submit';
import { flash } from '../../web/flash';
import { parseModuleForm as parseForm } from './form';
import { fenToInput } from '../../shared/money';
import { pageNumber } from '../../shared/pagination';
import { listStreetOffices } from '../streets';
import { shanghaiYear } from '../../shared/time';
import { canAddItems, canKeepItem } from './policy';
import * as q from './queries';
import { catalogItemSchema, ITEM_STATUSES, methodsFromColumn, PROCUREMENT_METHODS, type ItemStatus } from './schemas';
import * as service from './service';

/** The catalogue's pages and forms: the list and an item for everyone, the item form and the
 *  retirement for its keepers (the policy is checked on the item). */
export function catalogHandlers(deps: AppDeps) {
  async function load(req: Request) {
    const item = await q.findItem(deps.db, idParam(req));
    if (!item) throw new NotFound();
    return item;
  }

  async function loadKept(req: Request) {
    const item = await load(req);
    if (!canKeepItem(req.user!, item)) throw new Forbidden('catalog.errors.notYours');
    return item;
  }

  function filtersFrom(req: Request) {
    const str = (v: unknown, max = 50) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
    const num = (v: unknown) => (/^\d{1,9}$/.test(str(v)) ? Number(v) : undefined);
    const statusParam = str(req.query.status);
    const status: ItemStatus | undefined =
      statusParam === 'all'
        ? undefined
        : (ITEM_STATUSES as readonly string[]).includes(statusParam)
          ? (statusParam as ItemStatus)
          : 'active';
    return {
      raw: {
        q: str(req.query.q),
        category: str(req.query.category),
        year: str(req.query.year),
        street: str(req.query.street),
        status: statusParam || 'active',
      },
      filters: {
        q: str(req.query.q) || undefined,
        categoryId: num(req.query.category),
        year: num(req.query.year),
        streetOfficeId: num(req.query.street),
        status,
      },
    };
  }

  async function list(req: Request, res: Response) {
    const { raw, filters } = filtersFrom(req);
    const [page, categories, years, streets] = await Promise.all([
      q.listItems(deps.db, filters, pageNumber(req.query.page)),
      q.listCategories(deps.db),
      q.catalogYears(deps.db),
      listStreetOffices(deps.db),
    ]);
    const query = Object.entries(raw)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}&`)
      .join('');
    res.render('catalog/list', {
      title: req.t('catalog.title'),
      page,
      categories,
      years,
      streets,
      filter: raw,
      query,
      canAdd: canAddItems(req.user),
    });
  }

  async function show(req: Request, res: Response) {
    const item = await load(req);
    res.render('catalog/show', {
      title: item.name,
      item,
      methods: methodsFromColumn(item.methods),
      canKeep: !!req.user && canKeepItem(req.user, item),
    });
  }

  async function renderForm(
    req: Request,
    res: Response,
    status: number,
    locals: {
      item: q.CatalogItemView | null;
      values: Record<string, string>;
      methods: string[];
      errors?: Record<string, string>;
    },
  ) {
    const [categories, streets] = await Promise.all([q.listCategories(deps.db), listStreetOffices(deps.db)]);
    res.status(status).render('catalog/form', {
      title: locals.item ? req.t('catalog.editTitle', { code: locals.item.code }) : req.t('catalog.newTitle'),
      categories,
      streets,
      allMethods: PROCUREMENT_METHODS,
      isAdmin: req.user!.role === 'admin',
      errors: {},
      ...locals,
    });
  }

  const submittedMethods = (req: Request) => {
    const m = req.body?.methods;
    return Array.isArray(m) ? m.filter((x) => typeof x === 'string') : typeof m === 'string' ? [m] : [];
  };

  async function newForm(req: Request, res: Response) {
    if (!canAddItems(req.user)) throw new Forbidden();
    const year = String(shanghaiYear(deps.clock.now()));
    await renderForm(req, res, 200, { item: null, values: { year, streetOfficeId: '' }, methods: [] });
  }

  async function create(req: Request, res: Response) {
    await submitForm(req, res, {
      parse: (body) => parseForm(catalogItemSchema, body, req.t),
      again: ({ status, errors, values }) =>
        renderForm(req, res, status, { item: null, values, methods: submittedMethods(req), errors }),
      run: async (data) => {
        const id = await once(req, deps.db, 'catalog.item', (actor) =>
          service.createItem(deps, actor, req.user!, data),
        );
        return { redirect: `/catalog/${id}`, flash: req.t('catalog.created', { code: data.code }) };
      },
    });
  }

  async function editForm(req: Request, res: Response) {
    const item = await loadKept(req);
    const values = {
      categoryId: String(item.category_id),
      streetOfficeId: item.street_office_id === null ? '' : String(item.street_office_id),
      year: String(item.year),
      code: item.code,
      name: item.name,
      description: item.description,
      serviceStandard: item.service_standard,
      unit: item.unit,
      guidancePrice: fenToInput(Number(item.guidance_price_fen)),
    };
    await renderForm(req, res, 200, { item, values, methods: methodsFromColumn(item.methods) });
  }

  async function update(req: Request, res: Response) {
    const item = await loadKept(req);
    await submitForm(req, res, {
      parse: (body) => parseForm(catalogItemSchema, body, req.t),
      again: ({ status, errors, values }) =>
        renderForm(req, res, status, { item, values, methods: submittedMethods(req), errors }),
      run: async (data) => {
        await service.updateItem(deps, actorOf(req), req.user!, item.id, data);
        return { redirect: `/catalog/${item.id}`, flash: req.t('catalog.updated', { code: data.code }) };
      },
    });
  }

  const transition = (status: ItemStatus) => async (req: Request, res: Response) => {
    const item = await loadKept(req);
    await service.setItemStatus(deps, actorOf(req), req.user!, item.id, status);
    flash(req, 'success', req.t(status === 'retired' ? 'catalog.retired' : 'catalog.reactivated', { code: item.code }));
    res.redirect(303, `/catalog/${item.id}`);
  };

  return {
    list,
    show,
    newForm,
    create,
    editForm,
    update,
    retire: transition('retired'),
    reactivate: transition('active'),
  };
}
