import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { pageNumber } from '../../shared/pagination';
import { Forbidden, NotFound } from '../../web/errors';
import { canManageAward, objectionRefusal } from './policy';
import { awardRanking, awardsInPublicity, callsAwaitingProposal, findAward, listAwards, objectionsOf, panelNames, type AwardView } from './queries';
import { submittedBidderIds } from './ranking';
import { pathId } from './schemas';

/** The public award pages (公示, no sign-in) and the manager's award desk. */
export function pageHandlers(deps: AppDeps) {
  async function list(req: Request, res: Response) {
    const page = await listAwards(deps.db, pageNumber(req.query.page));
    res.render('awards/list', { title: req.t('awards.list.title'), page });
  }

  /** What the viewer may do on the award page, beside reading it. */
  async function viewerActions(req: Request, award: AwardView, openCount: number) {
    const user = req.user;
    const now = deps.clock.now();
    if (!user) return { canObject: false, canManage: false, canConfirm: false };
    const canManage = canManageAward(user, award);
    const canObject = user.role === 'org_staff' && !objectionRefusal(user, award, await submittedBidderIds(deps.db, award.call_id), now);
    const canConfirm = canManage && award.status === 'proposed' && now.toISOString() >= award.publicity_ends_at && openCount === 0;
    return { canObject, canManage, canConfirm };
  }

  async function show(req: Request, res: Response) {
    const award = await findAward(deps.db, pathId(req.params.awardId));
    if (!award) throw new NotFound();
    const [ranking, objections, panel] = await Promise.all([awardRanking(deps.db, award.id), objectionsOf(deps.db, award.id), panelNames(deps.db, award.call_id)]);
    const open = objections.filter((o) => o.status === 'open');
    const user = req.user;
    // The public reads answered objections; the managers, and each objector for its own, see open ones too.
    const visibleOpen = user ? open.filter((o) => canManageAward(user, award) || (user.role === 'org_staff' && user.organizationId === o.organization_id)) : [];
    res.render('awards/show', {
      title: req.t('awards.show.title', { call: award.call_title }),
      award,
      ranking,
      winners: ranking.filter((r) => r.amount_fen !== null),
      skipped: ranking.filter((r) => r.skip_reason !== null),
      totalFen: ranking.reduce((s, r) => s + (r.amount_fen ?? 0), 0),
      answered: objections.filter((o) => o.status !== 'open'),
      openCount: open.length,
      visibleOpen,
      panel,
      ...(await viewerActions(req, award, open.length)),
    });
  }

  async function desk(req: Request, res: Response) {
    const streetOfficeId = req.user!.streetOfficeId;
    if (!streetOfficeId) throw new Forbidden();
    const [calls, awards] = await Promise.all([callsAwaitingProposal(deps.db, streetOfficeId), awardsInPublicity(deps.db, streetOfficeId)]);
    const nowIso = deps.clock.now().toISOString();
    res.render('awards/desk', { title: req.t('awards.desk.title'), calls, awards, nowIso });
  }

  return { list, show, desk };
}
