import type { Request } from 'express';
import type { AppDeps } from '../../deps';
import { Forbidden, NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { submittedBids, type SubmittedBid } from './bids';
import { canOverseeReview, canRunReview, isAffiliated, scoringOpen } from './policy';
import * as q from './queries';
import { rankBids, type RankedBid } from './ranking';

// What the review pages show, gathered in a few queries each (never one per bid or reviewer).

import { idParam } from '../../web/path-id';
export { idParam };

/** The call, for a user who may see its review: the street's managers, the administrator, the
 *  street's auditors, or a reviewer on its panel. A draft is not found for anyone but its managers. */
export async function loadReviewCall(deps: AppDeps, req: Request): Promise<{ call: q.ReviewCall; onPanel: boolean }> {
  const user = req.user!;
  const call = await q.findReviewCall(deps.db, idParam(req, 'callId'));
  if (!call || (call.status === 'draft' && !canRunReview(user, call))) throw new NotFound();
  if (user.role === 'reviewer') {
    if (!(await q.isOnPanel(deps.db, call.id, user.id))) throw new Forbidden('reviews.errors.notOnPanel');
    return { call, onPanel: true };
  }
  if (!canOverseeReview(user, call)) throw new Forbidden('reviews.errors.notYourStreet');
  return { call, onPanel: false };
}

export type CellState = 'affiliated' | 'conflict' | 'undeclared' | 'toScore' | 'incomplete' | 'done';

/** The state of one reviewer on one bid (no score is part of it). */
function cellState(
  reviewer: { organization_id: number | null },
  bid: { organizationId: number },
  decl: q.Declaration | undefined,
  scored: number,
  criteria: number,
): CellState {
  if (isAffiliated(reviewer, { organization_id: bid.organizationId })) return 'affiliated';
  if (decl?.has_conflict) return 'conflict';
  if (!decl) return 'undeclared';
  if (scored === 0) return 'toScore';
  return scored >= criteria ? 'done' : 'incomplete';
}

const key = (bidId: number, reviewerId: number) => `${bidId}:${reviewerId}`;

/** The manager's (and overseers') page: bids, panel, and the progress matrix of sheets. */
export async function overview(deps: AppDeps, user: SessionUser, call: q.ReviewCall) {
  const opened = !!call.bids_opened_at;
  if (!opened)
    return {
      opened,
      bids: [] as SubmittedBid[],
      panel: [],
      candidates: [],
      matrix: [],
      missing: [],
      bidsWithoutSheet: [] as SubmittedBid[],
      criteria: [],
    };
  const [bids, panel, criteria, declarations, counts] = await Promise.all([
    submittedBids(deps.db, call.id),
    q.panelOf(deps.db, call.id),
    q.criteriaOf(deps.db, call.id),
    q.declarationsOf(deps.db, call.id),
    q.sheetCounts(deps.db, call.id),
  ]);
  const candidates = canRunReview(user, call) && scoringOpen(call) ? await q.reviewerCandidates(deps.db, call.id) : [];
  const decl = new Map(declarations.map((d) => [key(d.bid_id, d.reviewer_id), d]));
  const scored = new Map(counts.map((c) => [key(c.bid_id, c.reviewer_id), c.scored]));
  const matrix = bids.map((bid) => ({
    bid,
    cells: panel.map((r) => {
      const d = decl.get(key(bid.id, r.reviewer_id));
      return {
        reviewer: r,
        state: cellState(r, bid, d, scored.get(key(bid.id, r.reviewer_id)) ?? 0, criteria.length),
        note: d?.has_conflict ? d.note : null,
      };
    }),
  }));
  const missing = matrix.flatMap((row) =>
    row.cells
      .filter((c) => ['undeclared', 'toScore', 'incomplete'].includes(c.state))
      .map((c) => ({ bid: row.bid, reviewer: c.reviewer, state: c.state })),
  );
  const bidsWithoutSheet = matrix.filter((row) => !row.cells.some((c) => c.state === 'done')).map((row) => row.bid);
  return { opened, bids, panel, candidates, matrix, missing, bidsWithoutSheet, criteria };
}

/** A reviewer's own page: the call's bids and, for each, what they still have to do. Nothing of
 *  other reviewers, not even how many sheets they have finished. */
export async function reviewerView(deps: AppDeps, user: SessionUser, call: q.ReviewCall) {
  const [bids, criteria, declarations, counts] = await Promise.all([
    submittedBids(deps.db, call.id),
    q.criteriaOf(deps.db, call.id),
    q.declarationsOf(deps.db, call.id, user.id),
    q.sheetCounts(deps.db, call.id, user.id),
  ]);
  const decl = new Map(declarations.map((d) => [d.bid_id, d]));
  const scored = new Map(counts.map((c) => [c.bid_id, c.scored]));
  const me = { organization_id: user.organizationId };
  return bids.map((bid) => ({
    bid,
    state: cellState(me, bid, decl.get(bid.id), scored.get(bid.id) ?? 0, criteria.length),
  }));
}

export interface Sheet {
  reviewerName: string;
  scores: { criterionId: number; score: number; comment: string | null }[];
  weighted: number;
}

/** The ranking with every counted sheet (the same sheets rankBids counts) and who was excluded. */
export async function rankingPage(deps: AppDeps, call: q.ReviewCall) {
  const [ranking, criteria, panel, declarations, scores] = await Promise.all([
    rankBids(deps.db, call.id),
    q.criteriaOf(deps.db, call.id),
    q.panelOf(deps.db, call.id),
    q.declarationsOf(deps.db, call.id),
    q.scoresOf(deps.db, call.id),
  ]);
  const weight = new Map(criteria.map((c) => [c.id, c.weight]));
  const decl = new Map(declarations.map((d) => [key(d.bid_id, d.reviewer_id), d]));
  const byCell = new Map<string, q.ScoreRow[]>();
  for (const s of scores)
    byCell.set(key(s.bid_id, s.reviewer_id), [...(byCell.get(key(s.bid_id, s.reviewer_id)) ?? []), s]);
  const order = new Map(criteria.map((c, i) => [c.id, i]));
  const rows = ranking.map((r: RankedBid, i) => {
    const sheets: Sheet[] = [];
    const excluded: { reviewerName: string; affiliated: boolean }[] = [];
    for (const m of panel) {
      const d = decl.get(key(r.bidId, m.reviewer_id));
      const affiliated = isAffiliated(m, { organization_id: r.organizationId });
      if (affiliated || d?.has_conflict) {
        excluded.push({ reviewerName: m.display_name, affiliated });
        continue;
      }
      const own = byCell.get(key(r.bidId, m.reviewer_id)) ?? [];
      if (!d || own.length !== criteria.length) continue;
      own.sort((a, b) => (order.get(a.criterion_id) ?? 0) - (order.get(b.criterion_id) ?? 0));
      sheets.push({
        reviewerName: m.display_name,
        scores: own.map((s) => ({ criterionId: s.criterion_id, score: s.score, comment: s.comment })),
        weighted: own.reduce((sum, s) => sum + s.score * (weight.get(s.criterion_id) ?? 0), 0),
      });
    }
    const next = ranking[i + 1];
    // "score" between two bids showing the same two decimals: the exact means differ further down.
    const exactOnly = r.decidedBy === 'score' && next && next.sheets > 0 && next.scoreHundredths === r.scoreHundredths;
    return { ...r, sheetList: sheets, excluded, exactOnly, hasNext: !!next };
  });
  return { rows, criteria };
}
