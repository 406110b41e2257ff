import type { Request, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues, parseForm } from '../../web/forms';
import { routeTable } from '../../web/routes';
import * as repo from './repository';
import { streetOfficeSchema } from './schemas';
import * as service from './service';


/** The district administrator keeps the list of street offices (create, rename). */
export function streetRoutes(deps: AppDeps) {
  async function renderList(req: Request, res: Response, status = 200, locals: Record<string, unknown> = {}) {
    const streets = await repo.listStreetOffices(deps.db);
    res.status(status).render('admin/streets/list', { title: req.t('streets.title'), streets, errors: {}, values: {}, ...locals });
  }

  async function create(req: Request, res: Response) {
    const form = parseForm(streetOfficeSchema, req.body, req.t);
    if (!form.ok) return renderList(req, res, 422, { errors: form.errors, values: form.values });
    try {
      await service.createStreetOffice(deps, actorOf(req), form.data);
    } catch (err) {
      if (err instanceof ValidationFailed) return renderList(req, res, 422, { errors: translateProblems(req, err.fieldErrors), values: formValues(req.body) });
      throw err;
    }
    flash(req, 'success', req.t('streets.created', { name: form.data.name }));
    res.redirect(303, '/admin/street-offices');
  }

  async function load(req: Request) {
    const street = await repo.findStreetOffice(deps.db, Number(req.params.id) || 0);
    if (!street) throw new NotFound();
    return street;
  }

  async function editForm(req: Request, res: Response) {
    const street = await load(req);
    res.render('admin/streets/edit', { title: req.t('streets.rename'), street, errors: {}, values: { name: street.name, district: street.district, shortCode: street.short_code ?? '', legalRepresentative: street.legal_representative ?? '', address: street.address ?? '' } });
  }

  async function rename(req: Request, res: Response) {
    const street = await load(req);
    const show = (errors: Record<string, string>) =>
      res.status(422).render('admin/streets/edit', { title: req.t('streets.rename'), street, errors, values: formValues(req.body) });
    const form = parseForm(streetOfficeSchema, req.body, req.t);
    if (!form.ok) return show(form.errors);
    try {
      await service.renameStreetOffice(deps, actorOf(req), street.id, form.data);
    } catch (err) {
      if (err instanceof ValidationFailed) return show(translateProblems(req, err.fieldErrors));
      throw err;
    }
    flash(req, 'success', req.t('streets.renamed', { name: form.data.name }));
    res.redirect(303, '/admin/street-offices');
  }

  const admin = ['admin'] as const;
  return routeTable([
    { method: 'get', path: '/admin/street-offices', access: admin, handler: (req, res) => renderList(req, res) },
    { method: 'post', path: '/admin/street-offices', access: admin, handler: create },
    { method: 'get', path: '/admin/street-offices/:id/edit', access: admin, handler: editForm },
    { method: 'post', path: '/admin/street-offices/:id', access: admin, handler: rename },
  ]);
}
