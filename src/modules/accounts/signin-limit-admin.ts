import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { actorOf } from '../../web/actor';
import { InvalidState, NotFound } from '../../web/errors';
import { flash } from '../../web/flash';
import { routeTable } from '../../web/routes';
import { createSignInLimits, type SignInLimits } from '../../web/signin-limits';
import { formatDateTime } from '../../shared/time';
import * as repo from './queries';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/**
 * The district administrator sees an account's sign-in limit (attempts counted, when the next one may
 * go ahead) and clears it, for a user who cannot wait. Kept apart from admin-routes.ts so that the
 * sign-in work and other account work change different files.
 */
export async function clearSignInLimit(deps: Deps, limits: SignInLimits, actor: Actor, userId: number): Promise<void> {
  await auditedTransaction(deps.db, actor, deps.clock.now(), async (trx) => {
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new NotFound();
    const before = await limits.accountState(user.username, trx);
    if (!before) throw new InvalidState('signIn.limit.nothingToClear');
    await limits.clearAccount(trx, user.username);
    return {
      result: undefined,
      audit: {
        action: 'user.sign_in_limit_clear',
        subjectType: 'user',
        subjectId: user.id,
        streetOfficeId: user.street_office_id,
        organizationId: user.organization_id,
        before: {
          attempts: before.attempts,
          last_attempt_at: before.lastAttemptAt,
          next_allowed_at: before.nextAllowedAt,
        },
        after: { attempts: 0 },
      },
    };
  });
}

export function signInLimitAdminRoutes(deps: AppDeps) {
  const limits = createSignInLimits(deps);

  async function loadUser(req: Request) {
    const user = await repo.findUserById(deps.db, Number(req.params.id) || 0);
    if (!user) throw new NotFound();
    return user;
  }

  async function show(req: Request, res: Response) {
    const user = await loadUser(req);
    const state = await limits.accountState(user.username);
    const now = deps.clock.now().getTime();
    res.render('admin/users/sign-in-limit', {
      title: req.t('signIn.limit.title', { username: user.username }),
      user,
      state,
      lastAttempt: state ? formatDateTime(state.lastAttemptAt, req.lang) : '',
      nextAllowed:
        state?.nextAllowedAt && Date.parse(state.nextAllowedAt) > now
          ? formatDateTime(new Date(Math.ceil(Date.parse(state.nextAllowedAt) / 60000) * 60000), req.lang)
          : null,
      rules: deps.config.signIn,
    });
  }

  async function clear(req: Request, res: Response) {
    const user = await loadUser(req);
    await clearSignInLimit(deps, limits, actorOf(req), user.id);
    flash(req, 'success', req.t('signIn.limit.cleared', { username: user.username }));
    res.redirect(303, `/admin/users/${user.id}/sign-in-limit`);
  }

  const admin = ['admin'] as const;
  return routeTable([
    { method: 'get', path: '/admin/users/:id/sign-in-limit', access: admin, handler: show },
    { method: 'post', path: '/admin/users/:id/sign-in-limit/clear', access: admin, handler: clear },
  ]);
}
