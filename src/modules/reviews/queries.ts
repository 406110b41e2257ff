import type { Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';

// Reads of the review. Knex builder only (the same SQL on SQLite and PostgreSQL); no query per bid or
// per reviewer: every list is one query, grouped in JavaScript where a page needs a matrix.

/** What the review pages need of a call (the calls module owns the row). */
export interface ReviewCall {
  id: number;
  street_office_id: number;
  street_office_name: string;
  title: string;
  status: string;
  funding_mode: string;
  budget_fen: number;
  closes_at: string;
  bids_opened_at: string | null;
  bids_opened_by: number | null;
  scoring_closed_at: string | null;
  scoring_closed_by: number | null;
}

const CALL_COLUMNS = [
  'k.id',
  'k.street_office_id',
  's.name as street_office_name',
  'k.title',
  'k.status',
  'k.funding_mode',
  'k.budget_fen',
  'k.closes_at',
  'k.bids_opened_at',
  'k.bids_opened_by',
  'k.scoring_closed_at',
  'k.scoring_closed_by',
];

const toCall = (r: ReviewCall): ReviewCall => ({
  ...r,
  id: Number(r.id),
  street_office_id: Number(r.street_office_id),
  budget_fen: Number(r.budget_fen),
});

export async function findReviewCall(db: Queryable, callId: number): Promise<ReviewCall | undefined> {
  if (!Number.isSafeInteger(callId) || callId <= 0) return undefined;
  const row = await db('calls as k')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .where('k.id', callId)
    .first(CALL_COLUMNS);
  return row ? toCall(row) : undefined;
}

export interface Criterion {
  id: number;
  name: string;
  weight: number;
}

export async function criteriaOf(db: Queryable, callId: number): Promise<Criterion[]> {
  const rows = await db('call_criteria').where({ call_id: callId }).orderBy('position').select('id', 'name', 'weight');
  return rows.map((r) => ({ id: Number(r.id), name: r.name, weight: Number(r.weight) }));
}

export interface PanelMember {
  reviewer_id: number;
  display_name: string;
  username: string;
  organization_id: number | null;
  organization_name: string | null;
  assigned_at: string;
}

export async function panelOf(db: Queryable, callId: number): Promise<PanelMember[]> {
  const rows = await db('call_reviewers as cr')
    .join('users as u', 'u.id', 'cr.reviewer_id')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .where('cr.call_id', callId)
    .orderBy('cr.assigned_at')
    .orderBy('cr.reviewer_id')
    .select(
      'cr.reviewer_id',
      'u.display_name',
      'u.username',
      'u.organization_id',
      'o.name as organization_name',
      'cr.assigned_at',
    );
  return rows.map((r) => ({
    ...r,
    reviewer_id: Number(r.reviewer_id),
    organization_id: r.organization_id === null ? null : Number(r.organization_id),
  }));
}

export async function isOnPanel(db: Queryable, callId: number, reviewerId: number): Promise<boolean> {
  return !!(await db('call_reviewers').where({ call_id: callId, reviewer_id: reviewerId }).first('reviewer_id'));
}

/** Active reviewers not yet on the panel, for the manager's choice (at most 500, by name). */
export async function reviewerCandidates(db: Queryable, callId: number) {
  const rows = await db('users as u')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .where('u.role', 'reviewer')
    .whereNull('u.disabled_at')
    .whereNotExists((q) =>
      q.select(db.raw('1')).from('call_reviewers as cr').where('cr.call_id', callId).whereRaw('cr.reviewer_id = u.id'),
    )
    .orderBy('u.display_name')
    .orderBy('u.id')
    .limit(500)
    .select('u.id', 'u.display_name', 'u.username', 'o.name as organization_name');
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface Declaration {
  reviewer_id: number;
  bid_id: number;
  has_conflict: boolean;
  automatic: boolean;
  note: string | null;
  declared_at: string;
}

const toDeclaration = (r: Declaration): Declaration => ({
  ...r,
  reviewer_id: Number(r.reviewer_id),
  bid_id: Number(r.bid_id),
  has_conflict: !!r.has_conflict,
  automatic: !!r.automatic,
});

/** Declarations on the call: all of them, or one reviewer's. */
export async function declarationsOf(db: Queryable, callId: number, reviewerId?: number): Promise<Declaration[]> {
  const q = db('conflict_declarations').where({ call_id: callId });
  if (reviewerId !== undefined) q.where({ reviewer_id: reviewerId });
  const rows = await q.select('reviewer_id', 'bid_id', 'has_conflict', 'automatic', 'note', 'declared_at');
  return rows.map(toDeclaration);
}

export async function findDeclaration(
  db: Queryable,
  reviewerId: number,
  bidId: number,
): Promise<Declaration | undefined> {
  const row = await db('conflict_declarations')
    .where({ reviewer_id: reviewerId, bid_id: bidId })
    .first('reviewer_id', 'bid_id', 'has_conflict', 'automatic', 'note', 'declared_at');
  return row ? toDeclaration(row) : undefined;
}

/** Number of criteria scored per (bid, reviewer) on the call: which sheets are complete, without
 *  any score. For the manager's progress and a reviewer's own (pass reviewerId). */
export async function sheetCounts(
  db: Queryable,
  callId: number,
  reviewerId?: number,
): Promise<{ bid_id: number; reviewer_id: number; scored: number }[]> {
  const q = db('review_scores as s')
    .join('bids as b', 'b.id', 's.bid_id')
    .where('b.call_id', callId)
    .groupBy('s.bid_id', 's.reviewer_id')
    .select('s.bid_id', 's.reviewer_id', db.raw('COUNT(*) AS scored'));
  if (reviewerId !== undefined) q.where('s.reviewer_id', reviewerId);
  const rows = await q;
  return rows.map((r) => ({ bid_id: Number(r.bid_id), reviewer_id: Number(r.reviewer_id), scored: Number(r.scored) }));
}

export interface ScoreRow {
  bid_id: number;
  bid_ref: string;
  reviewer_id: number;
  criterion_id: number;
  score: number;
  comment: string | null;
  updated_at: string;
}

/** Scores of the call: one reviewer's own (for their form), or everyone's (the ranking page only). */
export async function scoresOf(
  db: Queryable,
  callId: number,
  filter: { reviewerId?: number; bidId?: number } = {},
): Promise<ScoreRow[]> {
  const q = db('review_scores as s').join('bids as b', 'b.id', 's.bid_id').where('b.call_id', callId);
  if (filter.reviewerId !== undefined) q.where('s.reviewer_id', filter.reviewerId);
  if (filter.bidId !== undefined) q.where('s.bid_id', filter.bidId);
  const rows = await q
    .orderBy('s.bid_id')
    .orderBy('s.reviewer_id')
    .select('s.bid_id', 'b.ref as bid_ref', 's.reviewer_id', 's.criterion_id', 's.score', 's.comment', 's.updated_at');
  return rows.map((r) => ({
    ...r,
    bid_id: Number(r.bid_id),
    reviewer_id: Number(r.reviewer_id),
    criterion_id: Number(r.criterion_id),
    score: Number(r.score),
  }));
}

export interface ReviewListRow extends ReviewCall {
  submitted_bids: number | null;
}

/** Calls the user reviews: a manager's street office's calls past their deadline (or opened), every
 *  street for the administrator, the auditor's streets, a reviewer's assigned calls. Drafts, cancelled
 *  calls and calls still open for bids are not here (their bids are sealed or do not exist). */
export async function listReviewCalls(
  db: Queryable,
  scope: { streetOfficeIds: number[] | null; reviewerId: number | null },
  nowIso: string,
  page: number,
): Promise<Page<ReviewCall>> {
  const base = db('calls as k')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .where((q) =>
      q
        .where((p) => p.where('k.status', 'published').where('k.closes_at', '<=', nowIso))
        .orWhereNotNull('k.bids_opened_at'),
    );
  if (scope.streetOfficeIds) base.whereIn('k.street_office_id', scope.streetOfficeIds);
  if (scope.reviewerId !== null)
    base.whereExists((q) =>
      q
        .select(db.raw('1'))
        .from('call_reviewers as cr')
        .whereRaw('cr.call_id = k.id')
        .where('cr.reviewer_id', scope.reviewerId),
    );
  const [{ count }] = await base.clone().count({ count: '*' });
  const items = await base
    .clone()
    .orderBy('k.closes_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(DEFAULT_PAGE_SIZE)
    .offset((page - 1) * DEFAULT_PAGE_SIZE)
    .select(CALL_COLUMNS);
  return makePage(items.map(toCall), Number(count), page);
}

export interface ReviewerTodo {
  call_id: number;
  title: string;
  street_office_name: string;
  status: string;
  scoring_closed_at: string | null;
  bids: number;
  toDeclare: number;
  toScore: number;
  done: number;
}

/** A reviewer's assigned calls with what is left to do (newest assignment first, at most `limit`).
 *  Four grouped queries for all the calls at once, none per call. */
export async function reviewerTodo(db: Queryable, reviewerId: number, limit = 10): Promise<ReviewerTodo[]> {
  const calls = await db('call_reviewers as cr')
    .join('calls as k', 'k.id', 'cr.call_id')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .where('cr.reviewer_id', reviewerId)
    .orderBy('cr.assigned_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(limit)
    .select('k.id', 'k.title', 's.name as street_office_name', 'k.status', 'k.scoring_closed_at');
  if (!calls.length) return [];
  const ids = calls.map((c) => Number(c.id));
  const [bidRows, declRows, sheetRows] = await Promise.all([
    db('bids')
      .whereIn('call_id', ids)
      .where('status', 'submitted')
      .groupBy('call_id')
      .select('call_id', db.raw('COUNT(*) AS n')),
    db('conflict_declarations as d')
      .join('bids as b', 'b.id', 'd.bid_id')
      .whereIn('d.call_id', ids)
      .where('d.reviewer_id', reviewerId)
      .where('b.status', 'submitted')
      .groupBy('d.call_id')
      .select(
        'd.call_id',
        db.raw('COUNT(*) AS declared'),
        db.raw('SUM(CASE WHEN d.has_conflict THEN 1 ELSE 0 END) AS conflicts'),
      ),
    // Complete own sheets per call: criteria scored = criteria of the call.
    db
      .from(
        db('review_scores as s')
          .join('bids as b', 'b.id', 's.bid_id')
          .whereIn('b.call_id', ids)
          .where('s.reviewer_id', reviewerId)
          .groupBy('b.call_id', 's.bid_id')
          .select('b.call_id', db.raw('COUNT(*) AS scored'))
          .as('x'),
      )
      .whereRaw('x.scored = (SELECT COUNT(*) FROM call_criteria cc WHERE cc.call_id = x.call_id)')
      .groupBy('x.call_id')
      .select('x.call_id', db.raw('COUNT(*) AS done')),
  ]);
  const byCall = <T extends { call_id: unknown }>(rows: T[]) => new Map(rows.map((r) => [Number(r.call_id), r]));
  const bids = byCall(bidRows as { call_id: number; n: number }[]);
  const decl = byCall(declRows as { call_id: number; declared: number; conflicts: number }[]);
  const sheets = byCall(sheetRows as { call_id: number; done: number }[]);
  return calls.map((c) => {
    const id = Number(c.id);
    const n = Number(bids.get(id)?.n ?? 0);
    const declared = Number(decl.get(id)?.declared ?? 0);
    const conflicts = Number(decl.get(id)?.conflicts ?? 0);
    const done = Number(sheets.get(id)?.done ?? 0);
    return {
      call_id: id,
      title: c.title,
      street_office_name: c.street_office_name,
      status: c.status,
      scoring_closed_at: c.scoring_closed_at,
      bids: n,
      toDeclare: n - declared,
      toScore: Math.max(0, declared - conflicts - done),
      done,
    };
  });
}
