import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState } from '../../web/errors';
import { pageNumber } from '../../shared/pagination';
import { listReviewCalls } from './queries';
import { canRunReview, reviewerMaySeeRanking, scoringOpen } from './policy';
import { isSealed } from '../bids';
import { formatHundredths } from './ranking';
import { loadReviewCall, overview, rankingPage, reviewerView } from './pages';

/** The review's pages: the calls to review, a call's review (the manager's or the reviewer's view), the ranking. */
export function callPageHandlers(deps: AppDeps) {
  async function list(req: Request, res: Response) {
    const user = req.user!;
    const scope =
      user.role === 'reviewer'
        ? { streetOfficeIds: null, reviewerId: user.id }
        : { streetOfficeIds: user.role === 'admin' ? null : user.streetOfficeIds, reviewerId: null };
    const page = await listReviewCalls(deps.db, scope, deps.clock.now().toISOString(), pageNumber(req.query.page));
    res.render('reviews/list', { title: req.t('reviews.list.title'), page });
  }

  const show = (req: Request, res: Response) => renderCall(deps, req, res);

  async function ranking(req: Request, res: Response) {
    const user = req.user!;
    const { call } = await loadReviewCall(deps, req);
    if (!call.bids_opened_at) throw new InvalidState('reviews.errors.notOpened');
    if (user.role === 'reviewer' && !reviewerMaySeeRanking(call))
      throw new Forbidden('reviews.errors.rankingAfterClosing');
    const data = await rankingPage(deps, call);
    res.render('reviews/ranking', {
      title: req.t('reviews.ranking.title', { call: call.title }),
      call,
      ...data,
      score: formatHundredths,
      closed: !!call.scoring_closed_at,
      // The next step from a closed ranking: its manager proposes the result (or reads it once proposed).
      canPropose: !!call.scoring_closed_at && call.status === 'under_review' && canRunReview(user, call),
    });
  }

  return { list, show, ranking };
}

/** A call's review page; `form` re-shows a refused panel form on it. */
export async function renderCall(
  deps: AppDeps,
  req: Request,
  res: Response,
  status = 200,
  form: Record<string, unknown> = {},
) {
  const user = req.user!;
  const { call } = await loadReviewCall(deps, req);
  const now = deps.clock.now();
  const common = { call, sealed: isSealed(call, now), scoringOpen: scoringOpen(call), errors: {}, values: {}, ...form };
  if (user.role === 'reviewer') {
    const bids = await reviewerView(deps, user, call);
    return res.status(status).render('reviews/reviewer-call', {
      title: call.title,
      ...common,
      bids,
      canSeeRanking: reviewerMaySeeRanking(call),
    });
  }
  const data = await overview(deps, user, call);
  res
    .status(status)
    .render('reviews/call', { title: call.title, ...common, ...data, canRun: canRunReview(user, call) });
}
