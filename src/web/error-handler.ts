import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, NotFound, NotSignedIn } from './errors';
import { DEFAULT_LANGUAGE, translator } from './i18n';
import { CONTROL_CHARACTERS_KEY } from './text-guard';
import { wayBack } from './way-back';

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFound('errors.pageNotFound'));

/** PostgreSQL refuses U+0000 in text (22021) and in JSON (22P05). The request guard refuses such
 *  text before any handler runs; this is the net under it, so the answer is a 422, never a 500. */
const PG_BAD_TEXT = new Set(['22021', '22P05']);

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
    } else if (typeof err?.code === 'string' && PG_BAD_TEXT.has(err.code)) {
      status = 422;
      message = t(CONTROL_CHARACTERS_KEY);
    } else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
      // body-parser: malformed or wrongly encoded bodies, unsupported charset.
      status = err.status;
      message = t('errors.badRequest');
    }

    if (status >= 500) opts.logger.error({ err, reqId: req.id }, 'request failed');
    if (res.headersSent) return;
    res.status(status);
    renderErrorPage(req, res, opts.logger, {
      title: t('errors.title', { status }),
      status,
      message,
      // A stack only when a developer asked for it (SHOW_ERROR_DETAILS=1); never SQL or a trace otherwise.
      stack: opts.showStack && status >= 500 ? String(err?.stack ?? '') : null,
      signInLink: status === 401,
      backLink: status === 401 ? null : wayBack(req),
    });
  };
}

interface ErrorLocals {
  title: string;
  status: number;
  message: string;
  stack: string | null;
  signInLink: boolean;
  /** The page the user came from (see wayBack), offered before the home page. */
  backLink: string | null;
}

/** The error page must never fail: if the page itself cannot be drawn (a view helper missing because
 *  the failure came before the locals were set, a broken partial), a plain page with the same
 *  message is sent instead. */
function renderErrorPage(req: Request, res: Response, logger: Logger, locals: ErrorLocals) {
  try {
    if (typeof res.locals.t !== 'function') res.locals.t = req.t ?? translator(DEFAULT_LANGUAGE);
    res.render('errors/error', locals, (renderErr: unknown, html?: string) => {
      if (!renderErr && typeof html === 'string') return res.send(html);
      logger.error({ err: renderErr, reqId: req.id }, 'error page failed');
      sendPlainErrorPage(res, locals);
    });
  } catch (renderErr) {
    logger.error({ err: renderErr, reqId: req.id }, 'error page failed');
    sendPlainErrorPage(res, locals);
  }
}

function sendPlainErrorPage(res: Response, locals: ErrorLocals) {
  if (res.headersSent) return;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .type('html')
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(locals.title)}</title></head><body><h1>${esc(locals.title)}</h1><p>${esc(locals.message)}</p>${locals.backLink ? `<p><a href="${esc(locals.backLink)}">${esc(locals.backLink)}</a></p>` : ''}<p><a href="/">/</a></p></body></html>`,
    );
}
