import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { routeTable } from '../../web/routes';
import { submitForm } from '../../web/submit';
import { requireSecondFactor } from '../../web/second-factor';
import { secondFactorStatus } from './second-factor-queries';
import { pageNumber } from '../../shared/pagination';
import { listStreetOffices } from '../streets';
import { listOrganizationOptions } from '../organizations';
import * as repo from './queries';
import { ROLES, isRole } from './roles';
import { createUserSchema, updateUserSchema } from './schemas';
import * as service from './service';

/** The district administrator's user management: list, create, edit role and scope, disable, re-enable. */
export function adminUserRoutes(deps: AppDeps) {
  async function formOptions() {
    const [streets, organizations] = await Promise.all([listStreetOffices(deps.db), listOrganizationOptions(deps.db)]);
    return { streets, organizations, roles: ROLES };
  }

  /** Field errors from the service are i18n keys; the form shows them translated. */

  async function list(req: Request, res: Response) {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 64) : '';
    const role = isRole(req.query.role) ? req.query.role : undefined;
    const page = await repo.listUsers(deps.db, { q: q || undefined, role }, pageNumber(req.query.page));
    res.render('admin/users/list', { title: req.t('accounts.users.title'), page, q, role: role ?? '', roles: ROLES });
  }

  async function renderForm(req: Request, res: Response, status: number, locals: Record<string, unknown>) {
    res.status(status).render('admin/users/form', { ...(await formOptions()), errors: {}, ...locals });
  }

  async function newForm(req: Request, res: Response) {
    await renderForm(req, res, 200, {
      title: req.t('accounts.users.new'),
      user: null,
      values: { role: 'org_staff' },
      auditStreets: [],
    });
  }

  async function create(req: Request, res: Response) {
    await submitForm(req, res, {
      schema: createUserSchema,
      again: ({ status, errors, values }) =>
        renderForm(req, res, status, {
          title: req.t('accounts.users.new'),
          user: null,
          values,
          auditStreets: selectedStreets(req),
          errors,
        }),
      run: async (data) => {
        await once(req, deps.db, 'accounts.user', (actor) => service.createUser(deps, actor, data));
        return { redirect: '/admin/users', flash: req.t('accounts.users.created', { username: data.username }) };
      },
    });
  }

  async function loadUser(req: Request) {
    const user = await repo.findUserById(deps.db, Number(req.params.id) || 0);
    if (!user) throw new NotFound();
    return user;
  }

  async function editForm(req: Request, res: Response) {
    const user = await loadUser(req);
    const [auditStreets, secondFactor] = await Promise.all([
      repo.assignedAuditStreets(deps.db, user.id),
      secondFactorStatus(deps.db, user.id),
    ]);
    await renderForm(req, res, 200, {
      title: req.t('accounts.users.edit', { username: user.username }),
      user,
      secondFactor,
      auditStreets,
      values: {
        displayName: user.display_name,
        role: user.role,
        streetOfficeId: String(user.street_office_id ?? ''),
        organizationId: String(user.organization_id ?? ''),
      },
    });
  }

  async function update(req: Request, res: Response) {
    const user = await loadUser(req);
    await submitForm(req, res, {
      schema: updateUserSchema,
      again: ({ status, errors, values }) =>
        renderForm(req, res, status, {
          title: req.t('accounts.users.edit', { username: user.username }),
          user,
          values,
          auditStreets: selectedStreets(req),
          errors,
        }),
      run: async (data) => {
        await service.updateUser(deps, actorOf(req), user.id, data);
        return { redirect: '/admin/users', flash: req.t('accounts.users.updated', { username: user.username }) };
      },
    });
  }

  const setDisabled = (disabled: boolean) => async (req: Request, res: Response) => {
    const user = await loadUser(req);
    await service.setUserDisabled(deps, actorOf(req), user.id, disabled);
    flash(
      req,
      'success',
      req.t(disabled ? 'accounts.users.disabled' : 'accounts.users.enabled', { username: user.username }),
    );
    res.redirect(303, '/admin/users');
  };

  const admin = ['admin'] as const;
  return routeTable([
    { method: 'get', path: '/admin/users', access: admin, handler: list },
    // Creating users and changing roles or scopes is done with the second factor proved (step-up).
    { method: 'get', path: '/admin/users/new', access: admin, handler: [requireSecondFactor, newForm] },
    { method: 'post', path: '/admin/users', access: admin, handler: [requireSecondFactor, create] },
    { method: 'get', path: '/admin/users/:id/edit', access: admin, handler: [requireSecondFactor, editForm] },
    { method: 'post', path: '/admin/users/:id', access: admin, handler: [requireSecondFactor, update] },
    {
      method: 'post',
      path: '/admin/users/:id/disable',
      access: admin,
      handler: [requireSecondFactor, setDisabled(true)],
    },
    {
      method: 'post',
      path: '/admin/users/:id/enable',
      access: admin,
      handler: [requireSecondFactor, setDisabled(false)],
    },
  ]);
}

/** The auditor street checkboxes as typed, for re-showing the form. */
function selectedStreets(req: Request): number[] {
  const v = (req.body as Record<string, unknown>)?.auditStreetOfficeIds;
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((s): s is string => typeof s === 'string' && /^\d{1,9}$/.test(s)).map(Number);
}
