import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { DomainError, NotFound, NotSignedIn } from './errors';
import { DEFAULT_LANGUAGE, translator } from './i18n';

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFound('errors.pageNotFound'));

/** The one place that turns an error into a status page in the user's language. */
export function errorHandler(opts: { showStack: boolean; logger: Logger }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const t = req.t ?? translator(DEFAULT_LANGUAGE);
    let status = 500;
    let message = t('errors.internal');

    if (err instanceof NotSignedIn && req.method === 'GET') {
      return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (err instanceof DomainError) {
      status = err.status;
      message = t(err.messageKey, err.params);
    } else if (err?.code === 'EBADCSRFTOKEN') {
      status = 403;
      message = t('errors.csrf');
    } else if (err?.type === 'entity.too.large' || err?.type === 'parameters.too.many') {
      status = 413;
      message = t('errors.bodyTooLarge');
    } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      // body-parser: malformed or wrongly encoded bodies, unsupported charset.
      status = err.status;
      message = t('errors.badRequest');
    }

    if (status >= 500) opts.logger.error({ err, reqId: req.id }, 'request failed');
    if (res.headersSent) return;
    res.status(status);
    res.render('errors/error', {
      title: t('errors.title', { status }),
      status,
      message,
      // A stack only in development; never SQL or a trace in production or tests.
      stack: opts.showStack && status >= 500 ? String(err?.stack ?? '') : null,
      signInLink: status === 401,
    });
  };
}
