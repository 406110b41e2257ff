import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound } from '../../web/errors';
import { routeTable } from '../../web/routes';
import { submitForm } from '../../web/submit';
import { requireSecondFactor } from '../../web/second-factor';
import { listStreetOffices } from '../streets';
import * as repo from './queries';
import { auditScopeOf, changeAuditScope, type ScopeChange } from './audit-scope-service';
import { findStreetOffice } from '../streets';

// A street office chosen from the list; anything else (empty, letters, a repeated field) is refused.
const streetSchema = z.object({
  streetOfficeId: z
    .string({ message: 'auditScope.errors.chooseStreet' })
    .regex(/^\d{1,9}$/, { message: 'auditScope.errors.chooseStreet' })
    .transform(Number),
});
const districtSchema = z.object({
  wholeDistrict: z.enum(['on', 'off'], { message: 'auditScope.errors.chooseDistrict' }),
});

/**
 * The administrator's page for an auditor's scope (审计范围): the street offices assigned, adding and
 * removing one, and "the whole district" on or off. Each change is one audited transaction
 * (audit-scope-service.ts). Kept apart from admin-routes.ts (the user form), which still sets the
 * street offices as a whole when a user is created or edited.
 */
export function auditScopeAdminRoutes(deps: AppDeps) {
  async function loadUser(req: Request) {
    const user = await repo.findUserById(deps.db, Number(req.params.id) || 0);
    if (!user) throw new NotFound();
    return user;
  }

  async function render(
    req: Request,
    res: Response,
    status: number,
    locals: { errors?: Record<string, string>; formError?: string; values?: Record<string, string> } = {},
  ) {
    const user = await loadUser(req);
    const [scope, streets] = await Promise.all([auditScopeOf(deps.db, user.id), listStreetOffices(deps.db)]);
    const byId = new Map(streets.map((s) => [Number(s.id), s]));
    res.status(status).render('admin/users/audit-scope', {
      title: req.t('auditScope.title', { username: user.username }),
      user,
      isAuditor: user.role === 'auditor',
      scope,
      assigned: scope.streetOfficeIds.map((id) => byId.get(id)).filter(Boolean),
      addable: streets.filter((s) => !scope.streetOfficeIds.includes(Number(s.id))),
      errors: locals.errors ?? {},
      formError:
        locals.formError ?? (user.role === 'auditor' || status !== 200 ? null : req.t('auditScope.errors.notAuditor')),
      values: locals.values ?? {},
    });
  }

  const show = (req: Request, res: Response) => render(req, res, 200);

  /** Parses the form, applies the change, and re-shows the page with the refusal (422) or redirects. */
  const change =
    <T>(schema: z.ZodType<T>, toChange: (data: T) => ScopeChange, done: (c: ScopeChange) => string) =>
    async (req: Request, res: Response) => {
      const user = await loadUser(req);
      await submitForm<T>(req, res, {
        schema,
        again: ({ status, errors: { _form, ...errors }, values }) =>
          render(req, res, status, { errors, formError: _form ?? null, values }),
        run: async (data) => {
          const c = toChange(data);
          await changeAuditScope(deps, actorOf(req), user.id, c);
          const street = 'streetOfficeId' in c ? (await findStreetOffice(deps.db, c.streetOfficeId))?.name : undefined;
          return {
            redirect: `/admin/users/${user.id}/audit-scope`,
            flash: req.t(done(c), { username: user.username, street }),
          };
        },
      });
    };

  const addStreet = change(
    streetSchema,
    (d) => ({ kind: 'add_street', streetOfficeId: d.streetOfficeId }),
    () => 'auditScope.added',
  );
  const removeStreet = change(
    streetSchema,
    (d) => ({ kind: 'remove_street', streetOfficeId: d.streetOfficeId }),
    () => 'auditScope.removed',
  );
  const setDistrict = change(
    districtSchema,
    (d) => ({ kind: 'whole_district', on: d.wholeDistrict === 'on' }),
    (c) => (c.kind === 'whole_district' && c.on ? 'auditScope.wholeOn' : 'auditScope.wholeOff'),
  );

  const admin = ['admin'] as const;
  // Scope changes are role and scope administration: the second factor proved (step-up), as for the user form.
  return routeTable([
    { method: 'get', path: '/admin/users/:id/audit-scope', access: admin, handler: [requireSecondFactor, show] },
    {
      method: 'post',
      path: '/admin/users/:id/audit-scope/streets',
      access: admin,
      handler: [requireSecondFactor, addStreet],
    },
    {
      method: 'post',
      path: '/admin/users/:id/audit-scope/street-removal',
      access: admin,
      handler: [requireSecondFactor, removeStreet],
    },
    {
      method: 'post',
      path: '/admin/users/:id/audit-scope/district',
      access: admin,
      handler: [requireSecondFactor, setDistrict],
    },
  ]);
}
