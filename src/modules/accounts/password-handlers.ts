import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { NotFound, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { SESSION_COOKIE } from '../../web/session';
import { submitForm } from '../../web/submit';
import * as repo from './queries';
import { changePasswordSchema } from './schemas';
import * as passwords from './password-service';
import * as secondFactor from './second-factor';
import { MIN_PASSWORD_LENGTH } from './password-policy';
import { accountKey, createAttemptLimiter, signInRules, tryAgainMessage } from '../../web/signin-limits';

/** Wrong current passwords allowed on the change form before the session is ended (a stolen session
 *  must not become a password-guessing oracle). */
const MAX_WRONG_CURRENT = 5;

export function create(deps: AppDeps) {
  // A check of the current password is a guess at the account's password: it counts against the same
  // per-account allowance as sign-in, counted before the check, so parallel posts cannot run more.
  const limiter = createAttemptLimiter(deps);
  const accountRule = signInRules(deps.config).account;
  function renderForm(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    res.set('Cache-Control', 'no-store');
    res.status(status).render('accounts/password', {
      title: req.t('accounts.password.title'),
      forced: Boolean(req.user!.mustChangePassword),
      minLength: MIN_PASSWORD_LENGTH,
      values: {},
      errors: {},
      ...extra,
    });
  }

  async function loadUser(req: Request) {
    const user = await repo.findUserById(deps.db, Number(req.params.id) || 0);
    if (!user) throw new NotFound();
    return user;
  }

  return {
    passwordPage(req: Request, res: Response) {
      renderForm(req, res, 200);
    },

    async changePassword(req: Request, res: Response) {
      const attempt = [{ key: accountKey(req.user!.username), rule: accountRule }];
      return submitForm(req, res, {
        schema: changePasswordSchema,
        // Passwords are never shown again: the form comes back empty, with its messages.
        again: ({ status, errors, formError }) => renderForm(req, res, status, { errors, formError }),
        run: async (data) => {
          const counted = await limiter.consume(attempt);
          if (!counted.ok) {
            res.setHeader('Retry-After', String(counted.waitSeconds));
            return { status: 429, formError: tryAgainMessage(req, counted.retryAt, counted.waitSeconds) };
          }
          try {
            const { signedOut } = await passwords.changeOwnPassword(
              deps,
              actorOf(req),
              req.user!.id,
              req.sessionID,
              data,
            );
            delete req.session.passwordChangeFailures;
            await limiter.refund(attempt);
            return { redirect: '/dashboard', flash: req.t('accounts.password.changed', { count: signedOut }) };
          } catch (err) {
            // No verdict on the current password (the worker was busy, or worse), or it was right and
            // the new one was refused: the attempt is given back.
            if (!(err instanceof ValidationFailed) || !err.fieldErrors.currentPassword) await limiter.refund(attempt);
            if (err instanceof ValidationFailed && err.fieldErrors.currentPassword) {
              req.session.passwordChangeFailures = (req.session.passwordChangeFailures ?? 0) + 1;
              if (req.session.passwordChangeFailures >= MAX_WRONG_CURRENT) {
                await new Promise<void>((resolve, reject) =>
                  req.session.destroy((destroyErr) => (destroyErr ? reject(destroyErr) : resolve())),
                );
                res.clearCookie(SESSION_COOKIE);
                return { redirect: '/login?expired=1' };
              }
            }
            throw err; // a ValidationFailed re-shows the form with its messages
          }
        },
      });
    },

    /** The temporary password is shown on this response only (not a redirect, so it is never kept). */
    async resetPassword(req: Request, res: Response) {
      const user = await loadUser(req);
      const temporary = await passwords.resetPassword(deps, actorOf(req), user.id);
      res.set('Cache-Control', 'no-store');
      res.render('admin/users/temporary-password', {
        title: req.t('accounts.password.resetTitle', { username: user.username }),
        user,
        temporary,
      });
    },

    async resetSecondFactor(req: Request, res: Response) {
      const user = await loadUser(req);
      await secondFactor.resetSecondFactor(deps, actorOf(req), user.id);
      flash(req, 'success', req.t('accounts.secondFactor.resetDone', { username: user.username }));
      res.redirect(303, `/admin/users/${user.id}/edit`);
    },
  };
}
