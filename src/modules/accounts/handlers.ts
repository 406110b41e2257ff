import type { Request, Response, NextFunction } from 'express';
import type { PassportStatic } from 'passport';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { parseForm } from '../../web/forms';
import { isLanguage } from '../../web/i18n';
import { LANGUAGE_COOKIE } from '../../web/language';
import { safeLocalPath } from '../../web/redirect';
import { SESSION_COOKIE } from '../../web/session';
import type { SignInLimits } from '../../web/signin-limits';
import { DEMO_ACCOUNTS } from '../../../seeds/demo-accounts';
import { signInSchema } from './schemas';
import { recordSignOut } from './service';

export function create(deps: AppDeps, passport: PassportStatic, limits: SignInLimits) {
  function renderLogin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
    res.status(status).render('accounts/login', {
      title: req.t('accounts.login.title'),
      demoAccounts: deps.config.demo ? DEMO_ACCOUNTS : [],
      next: safeLocalPath(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next, ''),
      notice: req.query.expired ? req.t('accounts.login.expired') : req.query.signedOut ? req.t('accounts.login.signedOut') : null,
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
      if (!form.ok) return renderLogin(req, res, 422, { errors: form.errors, values: { username: form.values.username ?? '' } });
      const { username } = form.data;
      const ip = req.ip ?? 'unknown';
      const values = { username };

      const wait = await limits.blockedFor(username, ip);
      if (wait > 0) {
        return renderLogin(req, res, 429, { values, formError: req.t('accounts.login.tooManyAttempts', { minutes: Math.ceil(wait / 60) }) });
      }

      passport.authenticate('local', (err: unknown, user: Express.User | false, info?: { message?: string }) => {
        if (err) return next(err);
        if (!user) {
          return limits
            .recordFailure(username, ip)
            .then(() =>
              renderLogin(req, res, 401, {
                values,
                formError: req.t(info?.message === 'disabled' ? 'accounts.login.disabled' : 'accounts.login.invalid'),
              }),
            )
            .catch(next);
        }
        // req.logIn regenerates the session id (passport >= 0.6), so a fixated id is worthless.
        req.logIn(user, (loginErr) => {
          if (loginErr) return next(loginErr);
          const now = deps.clock.now().getTime();
          req.session.signedInAt = now;
          req.session.lastSeenAt = now;
          limits
            .recordSuccess(username)
            .then(() => res.redirect(303, safeLocalPath((req.body as Record<string, unknown>).next, '/dashboard')))
            .catch(next);
        });
      })(req, res, next);
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
