import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { Forbidden, InvalidState } from '../../web/errors';
import { flash } from '../../web/flash';
import { submitForm } from '../../web/submit';
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
      if (err instanceof service.StillSealed)
        throw new InvalidState('reviews.errors.sealed', { closesAt: formatDateTime(err.closesAt, req.lang) });
      throw err;
    }
    res.redirect(303, `/reviews/calls/${idParam(req, 'callId')}`);
  }

  async function assign(req: Request, res: Response) {
    const { call } = await loadReviewCall(deps, req);
    if (!canRunReview(req.user!, call)) throw new Forbidden('reviews.errors.notYourStreet');
    await submitForm(req, res, {
      schema: assignSchema,
      again: ({ status, errors, values }) => renderCall(deps, req, res, status, { errors, values }),
      run: async (data) => {
        const done = await once(req, deps.db, 'reviews.reviewer', (actor) =>
          service.assignReviewer(deps, actor, req.user!, call.id, data.reviewerId),
        );
        return {
          redirect: `/reviews/calls/${call.id}`,
          flash: req.t(done.barredBids ? 'reviews.panel.assignedBarred' : 'reviews.panel.assigned', {
            name: done.name,
            count: done.barredBids,
          }),
        };
      },
    });
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
