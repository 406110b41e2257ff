import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import type { AppDeps } from '../deps';

export const SESSION_COOKIE = 'sf.sid';

/** Sessions live in the database (table `sessions`), so any app instance can serve any request. */
export function sessionMiddleware({ config, db }: Pick<AppDeps, 'config' | 'db'>): {
  middleware: RequestHandler;
  close: () => Promise<void>;
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
  // The store checks for its table as it is made; closing waits for that read, so that a database
  // closed right after the app was built does not abort it (a rejection nobody would catch).
  const close = async () => {
    await (store as unknown as { ready?: Promise<void> }).ready?.catch(() => undefined);
    const timer = (store as unknown as { nextDbCleanup?: NodeJS.Timeout }).nextDbCleanup;
    if (timer) clearTimeout(timer);
  };
  return { middleware, close };
}

/** The session's contents without its cookie (whose expiry moves by itself), as express-session hashes it. */
function contents(sess: Express.Request['session'] | undefined): string | undefined {
  return sess ? JSON.stringify(sess, (key, value) => (key === 'cookie' ? undefined : value)) : undefined;
}

/**
 * express-session saves a changed session when the response ends, but it sends the headers first
 * (expressjs/session#360): a browser follows a 303 on its headers and may ask for the next page
 * before the session row is written, and that page then misses the flash message or the sign-in
 * (seen in the browser tests under load). So a redirect whose session changed (or was renewed)
 * waits for the save; an unchanged session is not written again.
 */
export const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  const loadedId = req.sessionID;
  const loaded = contents(req.session);
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    const sess = req.session;
    if (!sess || (req.sessionID === loadedId && contents(sess) === loaded)) return redirect(...args);
    sess.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};
