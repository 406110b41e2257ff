import passport, { type PassportStatic } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { loadSessionUser } from '../modules/accounts/queries';
import { authenticate } from '../modules/accounts/service';
import { actorOf } from './actor';
import { SessionExpired } from './errors';

/** A passport instance per app (tests build many apps), with the local strategy over our accounts. */
export function createPassport(deps: AppDeps): PassportStatic {
  const instance = new passport.Passport() as unknown as PassportStatic;
  instance.use(
    new LocalStrategy(
      { usernameField: 'username', passwordField: 'password', passReqToCallback: true },
      (req, username, password, done) => {
        authenticate(deps, username, password, actorOf(req))
          .then((result) =>
            result.ok
              ? done(null, { id: result.userId } as Express.User)
              : done(null, false, { message: result.reason }),
          )
          .catch(done);
      },
    ),
  );
  instance.serializeUser((user, done) => done(null, user.id));
  instance.deserializeUser((id: unknown, done) => {
    loadSessionUser(deps.db, Number(id))
      .then((user) => done(null, user ?? false))
      .catch(done);
  });
  return instance;
}

/**
 * Idle and absolute session timeouts. An expired session is destroyed and the user is sent to
 * sign in again with a message saying why.
 */
export function sessionTimeouts({ config, clock }: Pick<AppDeps, 'config' | 'clock'>): RequestHandler {
  const idleMs = config.idleTimeoutMinutes * 60 * 1000;
  const absoluteMs = config.absoluteTimeoutHours * 60 * 60 * 1000;
  return (req, res, next) => {
    if (!req.user || !req.session) return next();
    const now = clock.now().getTime();
    const signedInAt = req.session.signedInAt ?? now;
    const lastSeenAt = req.session.lastSeenAt ?? now;
    if (now - lastSeenAt > idleMs || now - signedInAt > absoluteMs) {
      return req.session.destroy((err) => {
        if (err) return next(err);
        req.user = undefined;
        if (req.method === 'GET') return res.redirect(303, '/login?expired=1');
        next(new SessionExpired());
      });
    }
    // Touch at most once a minute, so reading pages does not write the session on every request.
    if (now - lastSeenAt > 60 * 1000 || !req.session.lastSeenAt) req.session.lastSeenAt = now;
    next();
  };
}
