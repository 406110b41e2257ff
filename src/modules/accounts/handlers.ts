import type { Request, Response, NextFunction } from 'express';
import type { PassportStatic } from 'passport';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { parseForm } from '../../web/forms';
import { isLanguage } from '../../web/i18n';
import { LANGUAGE_COOKIE } from '../../web/language';
import { safeLocalPath } from '../../web/redirect';
import { SESSION_COOKIE } from '../../web/session';
import { tryAgainMessage, type SignInLimits } from '../../web/signin-limits';
import { DEMO_ACCOUNTS } from '../../../seeds/demo-accounts';
import { signInSchema } from './schemas';
import { PasswordWorkBusy } from './passwords';
import { recordSignOut } from './service';
import { holdForSecondStep, SECOND_STEP_PATH } from './second-factor-handlers';

export function create(deps: AppDeps, passport: PassportStatic, limits: SignInLimits) {
  function renderLogin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    res.status(status).render('accounts/login', {
      title: req.t('accounts.login.title'),
      demoAccounts: deps.config.demo ? DEMO_ACCOUNTS : [],
      next: safeLocalPath(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next, ''),
      notice: req.query.expired
        ? req.t('accounts.login.expired')
        : req.query.signedOut
          ? req.t('accounts.login.signedOut')
          : null,
      values: {},
      errors: {},
      ...extra,
    });
  }

  return {
    /** The public front page: what Streetfund is and where the public, organizations and staff go next. */
    home(req: Request, res: Response) {
      res.render('home', { title: req.t('home.title') });
    },

    loginPage(req: Request, res: Response) {
      if (req.user) return res.redirect(303, '/dashboard');
      renderLogin(req, res, 200);
    },

    async login(req: Request, res: Response, next: NextFunction) {
      const form = parseForm(signInSchema, req.body, req.t);
      if (!form.ok)
        return renderLogin(req, res, 422, { errors: form.errors, values: { username: form.values.username ?? '' } });
      const { username } = form.data;
      const ip = req.ip ?? 'unknown';
      const values = { username };

      // Counted before the password is checked (consume first, then check), so parallel attempts
      // run at most the allowance of checks; beyond it each attempt waits a growing delay.
      const attempt = await limits.begin(username, ip);
      if (!attempt.ok) {
        res.setHeader('Retry-After', String(attempt.waitSeconds));
        return renderLogin(req, res, 429, {
          values,
          formError: tryAgainMessage(req, attempt.retryAt, attempt.waitSeconds),
        });
      }

      passport.authenticate('local', (err: unknown, user: Express.User | false, info?: { message?: string }) => {
        if (err instanceof PasswordWorkBusy) {
          // No check ran: the attempt is given back, and the visitor is asked to try again shortly.
          return limits
            .notChecked(username, ip)
            .then(() => {
              res.setHeader('Retry-After', '5');
              renderLogin(req, res, 503, { values, formError: req.t('signIn.busy') });
            })
            .catch(next);
        }
        if (err) return next(err);
        if (!user) {
          return renderLogin(req, res, 401, {
            values,
            formError: req.t(info?.message === 'disabled' ? 'accounts.login.disabled' : 'accounts.login.invalid'),
          });
        }
        // An enrolled user proves the second factor before the session is theirs (second-factor-handlers.ts).
        const target = safeLocalPath((req.body as Record<string, unknown>).next, '/dashboard');
        holdForSecondStep(deps, req, user.id, target)
          .then((held) =>
            held ? limits.succeeded(username, ip).then(() => res.redirect(303, SECOND_STEP_PATH)) : finishSignIn(user),
          )
          .catch(next);
      })(req, res, next);

      function finishSignIn(user: Express.User) {
        // req.logIn regenerates the session id (passport >= 0.6), so a fixated id is worthless.
        req.logIn(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const now = deps.clock.now().getTime();
          req.session.signedInAt = now;
          req.session.lastSeenAt = now;
          limits
            .succeeded(username, ip)
            .then(() => res.redirect(303, safeLocalPath((req.body as Record<string, unknown>).next, '/dashboard')))
            .catch(next);
        });
      }
    },

    async logout(req: Request, res: Response, next: NextFunction) {
      const user = req.user!;
      await recordSignOut(deps, actorOf(req), user.id);
      req.logout((err) => {
        if (err) return next(err);
        req.session.destroy((destroyErr) => {
          if (destroyErr) return next(destroyErr);
          res.clearCookie(SESSION_COOKIE);
          res.redirect(303, '/login?signedOut=1');
        });
      });
    },

    setLanguage(req: Request, res: Response) {
      const body = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown>;
      const lang = isLanguage(body.lang) ? body.lang : 'zh-CN';
      res.cookie(LANGUAGE_COOKIE, lang, {
        maxAge: 365 * 24 * 60 * 60 * 1000,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.env === 'production',
      });
      res.redirect(303, safeLocalPath(body.returnTo, '/'));
    },
  };
}
