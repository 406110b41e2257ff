import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps';

export const SESSION_COOKIE = 'sf.sid';

/** Sessions live in the database (table `sessions`), so any app instance can serve any request. */
export function sessionMiddleware({ config, db }: Pick<AppDeps, 'config' | 'db'>): {
  middleware: RequestHandler;
  close: () => void;
} {
  const store = new ConnectSessionKnexStore({
    knex: db,
    tableName: 'sessions',
    createTable: false,
    // Tests build many apps; a timer per app would keep jest alive.
    cleanupInterval: config.env === 'test' ? 0 : 10 * 60 * 1000,
  });
  // express-session calls the store's touch() on every request whose session did not change, and
  // connect-session-knex then rewrites the row's expiry: a database write per signed-in page view.
  // The expiry moves anyway whenever the session is saved, and sessionTimeouts (src/web/auth.ts)
  // saves a signed-in session at most once a minute (lastSeenAt), so touch has nothing left to do.
  store.touch = async (_sid, _session, callback) => {
    callback?.();
  };
  const middleware = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    // The cookie lasts at most the absolute timeout; the idle timeout is checked per request (signInGuard).
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env === 'production',
      maxAge: config.absoluteTimeoutHours * 60 * 60 * 1000,
    },
  });
  const close = () => {
    const timer = (store as unknown as { nextDbCleanup?: NodeJS.Timeout }).nextDbCleanup;
    if (timer) clearTimeout(timer);
  };
  return { middleware, close };
}
