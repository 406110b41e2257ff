import type { AppDeps } from '../../deps';
import { routeTable } from '../../web/routes';
import { callPageHandlers } from './call-pages';
import { runningHandlers } from './running';
import { sheetHandlers } from './sheets';

/** The review (评审): opening bids, the panel, declarations, scoring, closing and the ranking.
 *  Access here is the floor; each handler checks the policy on the call and the bid. */
export function reviewRoutes(deps: AppDeps) {
  const overseers = ['manager', 'admin', 'auditor', 'reviewer'] as const;
  const managers = ['manager'] as const;
  const reviewers = ['reviewer'] as const;
  const pages = callPageHandlers(deps);
  const running = runningHandlers(deps);
  const sheets = sheetHandlers(deps);

  return routeTable([
    { method: 'get', path: '/reviews', access: overseers, handler: pages.list },
    { method: 'get', path: '/reviews/calls/:callId', access: overseers, handler: pages.show },
    { method: 'get', path: '/reviews/calls/:callId/ranking', access: overseers, handler: pages.ranking },
    { method: 'post', path: '/reviews/calls/:callId/opening', access: managers, handler: running.open },
    { method: 'post', path: '/reviews/calls/:callId/reviewers', access: managers, handler: running.assign },
    {
      method: 'post',
      path: '/reviews/calls/:callId/reviewers/:reviewerId/removal',
      access: managers,
      handler: running.remove,
    },
    { method: 'post', path: '/reviews/calls/:callId/scoring-closure', access: managers, handler: running.close },
    { method: 'get', path: '/reviews/calls/:callId/bids/:bidRef', access: reviewers, handler: sheets.bidPage },
    {
      method: 'post',
      path: '/reviews/calls/:callId/bids/:bidRef/declaration',
      access: reviewers,
      handler: sheets.declare,
    },
    { method: 'post', path: '/reviews/calls/:callId/bids/:bidRef/scores', access: reviewers, handler: sheets.score },
  ]);
}
