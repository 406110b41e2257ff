import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound } from '../../web/errors';
import { submitForm } from '../../web/submit';
import { routeTable } from '../../web/routes';
import * as repo from './queries';
import { streetOfficeSchema } from './schemas';
import * as service from './service';

/** The district administrator keeps the list of street offices (create, rename). */
export function streetRoutes(deps: AppDeps) {
  async function renderList(req: Request, res: Response, status = 200, locals: Record<string, unknown> = {}) {
    const streets = await repo.listStreetOffices(deps.db);
    res
      .status(status)
      .render('admin/streets/list', { title: req.t('streets.title'), streets, errors: {}, values: {}, ...locals });
  }

  async function create(req: Request, res: Response) {
    await submitForm(req, res, {
      schema: streetOfficeSchema,
      again: ({ status, errors, values }) => renderList(req, res, status, { errors, values }),
      run: async (data) => {
        await service.createStreetOffice(deps, actorOf(req), data);
        return { redirect: '/admin/street-offices', flash: req.t('streets.created', { name: data.name }) };
      },
    });
  }

  async function load(req: Request) {
    const street = await repo.findStreetOffice(deps.db, Number(req.params.id) || 0);
    if (!street) throw new NotFound();
    return street;
  }

  async function editForm(req: Request, res: Response) {
    const street = await load(req);
    res.render('admin/streets/edit', {
      title: req.t('streets.rename'),
      street,
      errors: {},
      values: {
        name: street.name,
        district: street.district,
        shortCode: street.short_code ?? '',
        legalRepresentative: street.legal_representative ?? '',
        address: street.address ?? '',
      },
    });
  }

  async function rename(req: Request, res: Response) {
    const street = await load(req);
    await submitForm(req, res, {
      schema: streetOfficeSchema,
      again: ({ status, errors, values }) =>
        res.status(status).render('admin/streets/edit', { title: req.t('streets.rename'), street, errors, values }),
      run: async (data) => {
        await service.renameStreetOffice(deps, actorOf(req), street.id, data);
        return { redirect: '/admin/street-offices', flash: req.t('streets.renamed', { name: data.name }) };
      },
    });
  }

  const admin = ['admin'] as const;
  return routeTable([
    { method: 'get', path: '/admin/street-offices', access: admin, handler: (req, res) => renderList(req, res) },
    { method: 'post', path: '/admin/street-offices', access: admin, handler: create },
    { method: 'get', path: '/admin/street-offices/:id/edit', access: admin, handler: editForm },
    { method: 'post', path: '/admin/street-offices/:id', access: admin, handler: rename },
  ]);
}
