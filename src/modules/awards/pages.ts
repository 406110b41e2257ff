import type { Request, Response } from 'express';
import type { AppDeps } from '../../deps';
import { pageNumber } from '../../shared/pagination';
import { Forbidden, NotFound } from '../../web/errors';
import { canManageAward, objectionRefusal } from './policy';
import {
  awardRanking,
  awardsInPublicity,
  callsAwaitingProposal,
  findAward,
  listAwards,
  objectionsOf,
  panelNames,
  type AwardView,
} from './queries';
import { submittedBidderIds } from './ranking';
import { pathId } from './schemas';
import { awardItemContracts, finalAwardItems, isSigned, signingWindow } from '../contracts/index';

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
    const canObject =
      user.role === 'org_staff' &&
      !objectionRefusal(user, award, await submittedBidderIds(deps.db, award.call_id), now);
    const canConfirm =
      canManage && award.status === 'proposed' && now.toISOString() >= award.publicity_ends_at && openCount === 0;
    return { canObject, canManage, canConfirm };
  }

  async function show(req: Request, res: Response) {
    const award = await findAward(deps.db, pathId(req.params.awardId));
    if (!award) throw new NotFound();
    const [ranking, objections, panel] = await Promise.all([
      awardRanking(deps.db, award.id),
      objectionsOf(deps.db, award.id),
      panelNames(deps.db, award.call_id),
    ]);
    // The manager of a final award reaches each item's contract (or creates it) from here.
    const allItemContracts = award.status === 'final' ? await awardItemContracts(deps.db, award.id) : [];
    const itemContracts = canManageAward(req.user, award) ? allItemContracts : [];
    // Everyone reaches the public page of each item's signed contract.
    const signedContracts = allItemContracts.filter(
      (x) => x.contract_id !== null && x.contract_status !== null && isSigned({ status: x.contract_status }),
    );
    const open = objections.filter((o) => o.status === 'open');
    const user = req.user;
    // The public reads answered objections; the managers, and each objector for its own, see open ones too.
    const visibleOpen = user
      ? open.filter(
          (o) =>
            canManageAward(user, award) || (user.role === 'org_staff' && user.organizationId === o.organization_id),
        )
      : [];
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
      itemContracts,
      signedContracts,
      ...(await viewerActions(req, award, open.length)),
    });
  }

  async function desk(req: Request, res: Response) {
    const streetOfficeId = req.user!.streetOfficeId;
    if (!streetOfficeId) throw new Forbidden();
    const [calls, awards, toSign] = await Promise.all([
      callsAwaitingProposal(deps.db, streetOfficeId),
      awardsInPublicity(deps.db, streetOfficeId),
      finalAwardItems(deps.db, streetOfficeId),
    ]);
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    // Items of final awards without a signed contract, with the 30-day window from the final award.
    const contracts = toSign.map((i) => ({
      ...i,
      window: signingWindow(
        {
          status: i.contract_status ?? 'draft',
          signing_deadline:
            i.signing_deadline ?? new Date(new Date(i.final_at).getTime() + 30 * 86400000).toISOString(),
        },
        now,
      ),
    }));
    res.render('awards/desk', { title: req.t('awards.desk.title'), calls, awards, nowIso, contracts });
  }

  return { list, show, desk };
}
