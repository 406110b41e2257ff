import type { Request, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { Forbidden, InvalidState, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues, parseForm } from '../../web/forms';
import { formatDateTime } from '../../shared/time';
import { canRunReview } from './policy';
import { renderCall } from './call-pages';
import { idParam, loadReviewCall } from './pages';
import { assignSchema } from './schemas';
import * as service from './service';

/** The manager running the review: opening the bids, the panel, closing scoring. */
export function runningHandlers(deps: AppDeps) {
  async function open(req: Request, res: Response) {
    try {
      const bids = await service.openBids(deps, actorOf(req), req.user!, idParam(req, 'callId'));
      flash(req, 'success', req.t('reviews.opened', { count: bids.length }));
    } catch (err) {
      if (err instanceof service.StillSealed) throw new InvalidState('reviews.errors.sealed', { closesAt: formatDateTime(err.closesAt, req.lang) });
      throw err;
    }
    res.redirect(303, `/reviews/calls/${idParam(req, 'callId')}`);
  }

  async function assign(req: Request, res: Response) {
    const { call } = await loadReviewCall(deps, req);
    if (!canRunReview(req.user!, call)) throw new Forbidden('reviews.errors.notYourStreet');
    const form = parseForm(assignSchema, req.body, req.t);
    if (!form.ok) return renderCall(deps, req, res, 422, { errors: form.errors, values: form.values });
    try {
      const done = await once(req, deps.db, 'reviews.reviewer', (actor) => service.assignReviewer(deps, actor, req.user!, call.id, form.data.reviewerId));
      flash(req, 'success', req.t(done.barredBids ? 'reviews.panel.assignedBarred' : 'reviews.panel.assigned', { name: done.name, count: done.barredBids }));
    } catch (err) {
      if (err instanceof ValidationFailed) return renderCall(deps, req, res, 422, { errors: translateProblems(req, err.fieldErrors), values: formValues(req.body) });
      throw err;
    }
    res.redirect(303, `/reviews/calls/${call.id}`);
  }

  async function remove(req: Request, res: Response) {
    const { call } = await loadReviewCall(deps, req);
    const done = await service.removeReviewer(deps, actorOf(req), req.user!, call.id, idParam(req, 'reviewerId'));
    flash(req, 'success', req.t('reviews.panel.removed', { name: done.name }));
    res.redirect(303, `/reviews/calls/${call.id}`);
  }

  async function close(req: Request, res: Response) {
    const { call } = await loadReviewCall(deps, req);
    await service.closeScoring(deps, actorOf(req), req.user!, call.id);
    flash(req, 'success', req.t('reviews.closed'));
    res.redirect(303, `/reviews/calls/${call.id}/ranking`);
  }

  return { open, assign, remove, close };
}
