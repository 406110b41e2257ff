import type { Request, Response } from 'express';
import { translateProblems } from '../../web/problems';
import type { AppDeps } from '../../deps';
import { actorOf } from '../../web/actor';
import { once } from '../../web/once';
import { Forbidden, InvalidState, ValidationFailed } from '../../web/errors';
import { flash } from '../../web/flash';
import { formValues, parseForm } from '../../web/forms';
import { routeTable } from '../../web/routes';
import { pageNumber } from '../../shared/pagination';
import { formatDateTime } from '../../shared/time';
import { findDeclaration, listReviewCalls, scoresOf, criteriaOf } from './queries';
import { canRunReview, reviewerMaySeeRanking, scoringOpen } from './policy';
import { bidFiles, budgetLines, isSealed } from '../bids';
import { bidIdForRef } from './bids';
import { formatHundredths } from './ranking';
import { idParam, loadReviewCall, overview, rankingPage, reviewerView } from './pages';
import { assignSchema, commentField, declarationSchema, scoreField, sheetSchema } from './schemas';
import * as service from './service';

/** The review (评审): opening bids, the panel, declarations, scoring, closing and the ranking.
 *  Access here is the floor; each handler checks the policy on the call and the bid. */
export function reviewRoutes(deps: AppDeps) {
  const overseers = ['manager', 'admin', 'auditor', 'reviewer'] as const;
  const managers = ['manager'] as const;
  const reviewers = ['reviewer'] as const;

  async function list(req: Request, res: Response) {
    const user = req.user!;
    const scope =
      user.role === 'reviewer'
        ? { streetOfficeIds: null, reviewerId: user.id }
        : { streetOfficeIds: user.role === 'admin' ? null : user.streetOfficeIds, reviewerId: null };
    const page = await listReviewCalls(deps.db, scope, deps.clock.now().toISOString(), pageNumber(req.query.page));
    res.render('reviews/list', { title: req.t('reviews.list.title'), page });
  }

  async function renderCall(req: Request, res: Response, status = 200, form: Record<string, unknown> = {}) {
    const user = req.user!;
    const { call } = await loadReviewCall(deps, req);
    const now = deps.clock.now();
    const common = { call, sealed: isSealed(call, now), scoringOpen: scoringOpen(call), errors: {}, values: {}, ...form };
    if (user.role === 'reviewer') {
      const bids = await reviewerView(deps, user, call);
      return res.status(status).render('reviews/reviewer-call', { title: call.title, ...common, bids, canSeeRanking: reviewerMaySeeRanking(call) });
    }
    const data = await overview(deps, user, call);
    res.status(status).render('reviews/call', { title: call.title, ...common, ...data, canRun: canRunReview(user, call) });
  }

  const show = (req: Request, res: Response) => renderCall(req, res);

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
    if (!form.ok) return renderCall(req, res, 422, { errors: form.errors, values: form.values });
    try {
      const done = await once(req, deps.db, 'reviews.reviewer', (actor) => service.assignReviewer(deps, actor, req.user!, call.id, form.data.reviewerId));
      flash(req, 'success', req.t(done.barredBids ? 'reviews.panel.assignedBarred' : 'reviews.panel.assigned', { name: done.name, count: done.barredBids }));
    } catch (err) {
      if (err instanceof ValidationFailed) return renderCall(req, res, 422, { errors: translateProblems(req, err.fieldErrors), values: formValues(req.body) });
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

  /** The bid as its reviewer sees it: the declaration to make, or the sheet to fill or revise. */
  async function renderBid(req: Request, res: Response, status = 200, form: Record<string, unknown> = {}) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(deps.db, user, idParam(req, 'callId'), await bidIdForRef(deps.db, req.params.bidRef));
    const [declaration, criteria] = await Promise.all([findDeclaration(deps.db, user.id, bid.id), criteriaOf(deps.db, call.id)]);
    const refusal = service.scoringRefusal(user, bid, declaration);
    const cleared = !refusal;
    // The whole bid (budget table, attachments) only after declaring no conflict; before, its organization's name.
    const [own, lines, files] = cleared ? await Promise.all([scoresOf(deps.db, call.id, { reviewerId: user.id, bidId: bid.id }), budgetLines(deps.db, bid.id), bidFiles(deps.db, bid.id)]) : [[], [], []];
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
      weighted: own.length === criteria.length && own.length ? formatHundredths(own.reduce((sum, s) => sum + s.score * (criteria.find((c) => c.id === s.criterion_id)?.weight ?? 0), 0)) : null,
      scoreField,
      commentField,
      errors: {},
      ...form,
      values: { ...values, ...((form.values as Record<string, string> | undefined) ?? {}) },
    });
  }

  const bidPage = (req: Request, res: Response) => renderBid(req, res);

  async function declareHandler(req: Request, res: Response) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(deps.db, user, idParam(req, 'callId'), await bidIdForRef(deps.db, req.params.bidRef));
    const form = parseForm(declarationSchema, req.body, req.t);
    if (!form.ok) return renderBid(req, res, 422, { errors: form.errors, values: form.values });
    const hasConflict = await service.declare(deps, actorOf(req), user, call.id, bid.id, form.data);
    flash(req, 'success', req.t(hasConflict ? 'reviews.declaration.doneConflict' : 'reviews.declaration.doneNone', { organization: bid.organization_name }));
    res.redirect(303, hasConflict ? `/reviews/calls/${call.id}` : `/reviews/calls/${call.id}/bids/${bid.ref}`);
  }

  async function score(req: Request, res: Response) {
    const user = req.user!;
    const { call, bid } = await service.reviewerBid(deps.db, user, idParam(req, 'callId'), await bidIdForRef(deps.db, req.params.bidRef));
    // State and conflicts first: a refused reviewer gets the refusal, not a form to correct.
    if (!scoringOpen(call)) throw new InvalidState(call.scoring_closed_at ? 'reviews.errors.scoringClosed' : 'reviews.errors.notUnderReview');
    const refusal = service.scoringRefusal(user, bid, await findDeclaration(deps.db, user.id, bid.id));
    if (refusal) throw refusal;
    const criteria = await criteriaOf(deps.db, call.id);
    const form = parseForm(sheetSchema(criteria), req.body, req.t);
    if (!form.ok) return renderBid(req, res, 422, { errors: form.errors, values: form.values });
    const saved = await service.saveSheet(deps, actorOf(req), user, call.id, bid.id, form.data);
    flash(req, 'success', req.t(saved.revised ? 'reviews.sheet.revised' : 'reviews.sheet.saved', { organization: bid.organization_name, score: formatHundredths(saved.weighted) }));
    res.redirect(303, `/reviews/calls/${call.id}`);
  }

  async function ranking(req: Request, res: Response) {
    const user = req.user!;
    const { call } = await loadReviewCall(deps, req);
    if (!call.bids_opened_at) throw new InvalidState('reviews.errors.notOpened');
    if (user.role === 'reviewer' && !reviewerMaySeeRanking(call)) throw new Forbidden('reviews.errors.rankingAfterClosing');
    const data = await rankingPage(deps, call);
    res.render('reviews/ranking', { title: req.t('reviews.ranking.title', { call: call.title }), call, ...data, score: formatHundredths, closed: !!call.scoring_closed_at });
  }

  return routeTable([
    { method: 'get', path: '/reviews', access: overseers, handler: list },
    { method: 'get', path: '/reviews/calls/:callId', access: overseers, handler: show },
    { method: 'get', path: '/reviews/calls/:callId/ranking', access: overseers, handler: ranking },
    { method: 'post', path: '/reviews/calls/:callId/opening', access: managers, handler: open },
    { method: 'post', path: '/reviews/calls/:callId/reviewers', access: managers, handler: assign },
    { method: 'post', path: '/reviews/calls/:callId/reviewers/:reviewerId/removal', access: managers, handler: remove },
    { method: 'post', path: '/reviews/calls/:callId/scoring-closure', access: managers, handler: close },
    { method: 'get', path: '/reviews/calls/:callId/bids/:bidRef', access: reviewers, handler: bidPage },
    { method: 'post', path: '/reviews/calls/:callId/bids/:bidRef/declaration', access: reviewers, handler: declareHandler },
    { method: 'post', path: '/reviews/calls/:callId/bids/:bidRef/scores', access: reviewers, handler: score },
  ]);
}
