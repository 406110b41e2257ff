import type { RequestHandler, Response } from 'express';
import type { AppDeps } from '../../deps';
import { unreadCountUpTo } from './queries';

/**
 * Puts the signed-in user's unread count in `res.locals.unreadNotifications` for the header.
 * Registered right after userLocals. It costs nothing for anonymous visitors and for responses that
 * render no page (redirects after a POST, downloads, /healthz is mounted before it): the one indexed
 * COUNT runs only when a page is actually rendered. If the count fails, the page is still rendered,
 * without a number (an error page must not fail because of the header).
 */
export function unreadCountInHeader({ db }: Pick<AppDeps, 'db'>): RequestHandler {
  return (req, res, next) => {
    const userId = req.user?.id;
    if (!userId) return next();
    const render = res.render.bind(res) as (...args: unknown[]) => void;
    res.render = ((...args: unknown[]) => {
      unreadCountUpTo(db, userId)
        .then(
          (n) => {
            res.locals.unreadNotifications = n;
          },
          (err: unknown) => req.log.warn({ err }, 'unread notification count failed'),
        )
        // Express's render reports its own errors to the error handler; this catches only the unexpected.
        .then(() => render(...args))
        .catch((err: unknown) => {
          req.log.error({ err }, 'render failed');
          if (!res.headersSent) res.status(500).end();
        });
    }) as Response['render'];
    next();
  };
}
