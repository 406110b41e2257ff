import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { Forbidden, InvalidState } from '../../web/errors';
import { flash } from '../../web/flash';
import { parseForm } from '../../web/forms';
import { findDeclaration, scoresOf, criteriaOf } from './queries';
import { scoringOpen } from './policy';
import { bidFiles, budgetLines } from '../bids';
import { bidIdForRef } from './bids';
import { formatHundredths } from './ranking';
import { idParam } from './pages';
import { commentField, declarationSchema, scoreField, sheetSchema } from './schemas';
import * as service from './service';

/** A reviewer on one bid: the declaration of interest, then the score sheet. */
export function sheetHandlers(deps: AppDeps) {
  /** The bid as its reviewer sees it: the declaration to make, or the sheet to fill or revise. */
  async function renderBid(req: Request, res: Response, status = 200, form: Record<string, unknown> = {}) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(
      deps.db,
      user,
      idParam(req, 'callId'),
      await bidIdForRef(deps.db, req.params.bidRef),
    );
    const [declaration, criteria] = await Promise.all([
      findDeclaration(deps.db, user.id, bid.id),
      criteriaOf(deps.db, call.id),
    ]);
    const refusal = service.scoringRefusal(user, bid, declaration);
    const cleared = !refusal;
    // The whole bid (budget table, attachments) only after declaring no conflict; before, its organization's name.
    const [own, lines, files] = cleared
      ? await Promise.all([
          scoresOf(deps.db, call.id, { reviewerId: user.id, bidId: bid.id }),
          budgetLines(deps.db, bid.id),
          bidFiles(deps.db, bid.id),
        ])
      : [[], [], []];
    const values: Record<string, string> = {};
    for (const s of own) {
      values[`score_${s.criterion_id}`] = String(s.score);
      values[`comment_${s.criterion_id}`] = s.comment ?? '';
    }
    res.status(status).render('reviews/bid', {
      title: req.t('reviews.bid.title', { organization: bid.organization_name }),
      call,
      bid,
      declaration,
      affiliated: refusal instanceof Forbidden && refusal.messageKey === 'reviews.errors.affiliated',
      cleared,
      criteria,
      scored: own.length > 0,
      lines,
      files,
      scoringOpen: scoringOpen(call),
      weighted:
        own.length === criteria.length && own.length
          ? formatHundredths(
              own.reduce((sum, s) => sum + s.score * (criteria.find((c) => c.id === s.criterion_id)?.weight ?? 0), 0),
            )
          : null,
      scoreField,
      commentField,
      errors: {},
      ...form,
      values: { ...values, ...((form.values as Record<string, string> | undefined) ?? {}) },
    });
  }

  const bidPage = (req: Request, res: Response) => renderBid(req, res);

  async function declare(req: Request, res: Response) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(
      deps.db,
      user,
      idParam(req, 'callId'),
      await bidIdForRef(deps.db, req.params.bidRef),
    );
    const form = parseForm(declarationSchema, req.body, req.t);
    if (!form.ok) return renderBid(req, res, 422, { errors: form.errors, values: form.values });
    const hasConflict = await service.declare(deps, actorOf(req), user, call.id, bid.id, form.data);
    flash(
      req,
      'success',
      req.t(hasConflict ? 'reviews.declaration.doneConflict' : 'reviews.declaration.doneNone', {
        organization: bid.organization_name,
      }),
    );
    res.redirect(303, hasConflict ? `/reviews/calls/${call.id}` : `/reviews/calls/${call.id}/bids/${bid.ref}`);
  }

  async function score(req: Request, res: Response) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(
      deps.db,
      user,
      idParam(req, 'callId'),
      await bidIdForRef(deps.db, req.params.bidRef),
    );
    // State and conflicts first: a refused reviewer gets the refusal, not a form to correct.
    if (!scoringOpen(call))
      throw new InvalidState(call.scoring_closed_at ? 'reviews.errors.scoringClosed' : 'reviews.errors.notUnderReview');
    const refusal = service.scoringRefusal(user, bid, await findDeclaration(deps.db, user.id, bid.id));
    if (refusal) throw refusal;
    const criteria = await criteriaOf(deps.db, call.id);
    const form = parseForm(sheetSchema(criteria), req.body, req.t);
    if (!form.ok) return renderBid(req, res, 422, { errors: form.errors, values: form.values });
    const saved = await service.saveSheet(deps, actorOf(req), user, call.id, bid.id, form.data);
    flash(
      req,
      'success',
      req.t(saved.revised ? 'reviews.sheet.revised' : 'reviews.sheet.saved', {
        organization: bid.organization_name,
        score: formatHundredths(saved.weighted),
      }),
    );
    res.redirect(303, `/reviews/calls/${call.id}`);
  }

  return { bidPage, declare, score };
}
