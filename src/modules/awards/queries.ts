import { forUpdate, type Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';

/** Reads of the awards module. Plain knex builders that compile the same on SQLite and PostgreSQL. */

export interface AwardRow {
  id: number;
  call_id: number;
  status: 'proposed' | 'withdrawn' | 'final';
  proposed_by: number | null;
  proposed_at: string;
  publicity_ends_at: string;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  finalized_by: number | null;
  final_at: string | null;
}

/** An award with what its pages show of the call. */
export interface AwardView extends AwardRow {
  call_title: string;
  call_method: string;
  call_status: string;
  budget_fen: number;
  per_project_cap_fen: number | null;
  street_office_id: number;
  street_office_name: string;
}

const VIEW_COLUMNS = [
  'a.*',
  'k.title as call_title',
  'k.method as call_method',
  'k.status as call_status',
  'k.budget_fen',
  'k.per_project_cap_fen',
  'k.street_office_id',
  's.name as street_office_name',
];

const view = (db: Queryable) =>
  db('awards as a').join('calls as k', 'k.id', 'a.call_id').join('street_offices as s', 's.id', 'k.street_office_id');

const toView = (r: AwardView | undefined): AwardView | undefined =>
  r && {
    ...r,
    budget_fen: Number(r.budget_fen),
    per_project_cap_fen: r.per_project_cap_fen === null ? null : Number(r.per_project_cap_fen),
  };

export async function findAward(db: Queryable, id: number): Promise<AwardView | undefined> {
  return toView(await view(db).where('a.id', id).first(VIEW_COLUMNS));
}

/** The award row, locked for the rest of the transaction on PostgreSQL (SQLite has one writer). */
export async function lockAward(db: Queryable, id: number, lock: boolean): Promise<AwardRow | undefined> {
  const q = db<AwardRow>('awards').where({ id }).first();
  return lock ? forUpdate(db, q) : q;
}

/** The award of a call that is not withdrawn (at most one: awards_one_standing_per_call). */
export async function standingAward(db: Queryable, callId: number): Promise<AwardRow | undefined> {
  return db<AwardRow>('awards').where({ call_id: callId }).whereNot({ status: 'withdrawn' }).first();
}

export interface AwardItemView {
  bid_id: number;
  organization_id: number;
  organization_name: string;
  rank: number;
  amount_fen: number;
  price_fen: number;
}

export async function awardItems(db: Queryable, awardIds: number[]): Promise<(AwardItemView & { award_id: number })[]> {
  if (!awardIds.length) return [];
  const rows = await db('award_items as i')
    .join('bids as b', 'b.id', 'i.bid_id')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .whereIn('i.award_id', awardIds)
    .orderBy(['i.award_id', 'i.rank'])
    .select(
      'i.award_id',
      'i.bid_id',
      'b.organization_id',
      'o.name as organization_name',
      'i.rank',
      'i.amount_fen',
      'b.price_fen',
    );
  return rows.map((r) => ({ ...r, amount_fen: Number(r.amount_fen), price_fen: Number(r.price_fen) }));
}

export interface RankingRow {
  bid_id: number;
  organization_id: number;
  organization_name: string;
  price_fen: number;
  sheets: number;
  score_hundredths: number;
  rank: number;
  decided_by: string | null;
  skip_reason: string | null;
  amount_fen: number | null;
}

/** The published scores summary: the ranking snapshot with each bid's outcome (awarded amount or skip reason). */
export async function awardRanking(db: Queryable, awardId: number): Promise<RankingRow[]> {
  const rows = await db('award_rankings as r')
    .join('organizations as o', 'o.id', 'r.organization_id')
    .leftJoin('award_items as i', (j) => j.on('i.award_id', 'r.award_id').andOn('i.bid_id', 'r.bid_id'))
    .leftJoin('award_skips as k', (j) => j.on('k.award_id', 'r.award_id').andOn('k.bid_id', 'r.bid_id'))
    .where('r.award_id', awardId)
    .orderBy('r.rank')
    .select(
      'r.bid_id',
      'r.organization_id',
      'o.name as organization_name',
      'r.price_fen',
      'r.sheets',
      'r.score_hundredths',
      'r.rank',
      'r.decided_by',
      'k.reason as skip_reason',
      'i.amount_fen',
    );
  return rows.map((r) => ({
    ...r,
    price_fen: Number(r.price_fen),
    amount_fen: r.amount_fen === null ? null : Number(r.amount_fen),
    sheets: Number(r.sheets),
    score_hundredths: Number(r.score_hundredths),
  }));
}

/** Reviewers of the call's panel (names only, never who gave which score). */
export async function panelNames(db: Queryable, callId: number): Promise<string[]> {
  const rows = await db('call_reviewers as r')
    .join('users as u', 'u.id', 'r.reviewer_id')
    .where('r.call_id', callId)
    .orderBy('u.display_name')
    .select('u.display_name');
  return rows.map((r: { display_name: string }) => r.display_name);
}

export interface ObjectionRow {
  id: number;
  award_id: number;
  call_id: number;
  organization_id: number;
  organization_name: string;
  reasons: string;
  status: 'open' | 'upheld' | 'rejected';
  lodged_by: number | null;
  lodged_at: string;
  answer: string | null;
  answered_by: number | null;
  answered_at: string | null;
}

const objectionQuery = (db: Queryable) => db('objections as j').join('organizations as o', 'o.id', 'j.organization_id');

export async function objectionsOf(db: Queryable, awardId: number): Promise<ObjectionRow[]> {
  return objectionQuery(db).where('j.award_id', awardId).orderBy('j.id').select('j.*', 'o.name as organization_name');
}

/** The objection only if it belongs to this award: a forged id of another award's objection is not found. */
export async function findObjection(
  db: Queryable,
  awardId: number,
  objectionId: number,
): Promise<ObjectionRow | undefined> {
  return objectionQuery(db)
    .where({ 'j.award_id': awardId, 'j.id': objectionId })
    .first('j.*', 'o.name as organization_name');
}

export interface ObjectionFileRow {
  id: number;
  file_id: number;
  storage_key: string;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  created_at: string;
}

const FILE_COLUMNS = [
  'x.id',
  'x.file_id',
  'f.storage_key',
  'f.original_name',
  'f.mime_type',
  'f.size_bytes',
  'f.sha256',
  'x.created_at',
];

export async function objectionFiles(db: Queryable, objectionId: number): Promise<ObjectionFileRow[]> {
  return db('objection_files as x')
    .join('stored_files as f', 'f.id', 'x.file_id')
    .where('x.objection_id', objectionId)
    .orderBy('x.id')
    .select(FILE_COLUMNS);
}

export async function findObjectionFile(
  db: Queryable,
  objectionId: number,
  id: number,
): Promise<ObjectionFileRow | undefined> {
  return db('objection_files as x')
    .join('stored_files as f', 'f.id', 'x.file_id')
    .where({ 'x.objection_id': objectionId, 'x.id': id })
    .first(FILE_COLUMNS);
}

export interface AwardListItem extends AwardView {
  winners: AwardItemView[];
}

/** Published award notices, newest first (the primary key orders them), with their winners. */
export async function listAwards(db: Queryable, page: number): Promise<Page<AwardListItem>> {
  const [{ count }] = await db('awards').count({ count: '*' });
  const rows = (
    await view(db)
      .orderBy('a.id', 'desc')
      .limit(DEFAULT_PAGE_SIZE)
      .offset((page - 1) * DEFAULT_PAGE_SIZE)
      .select(VIEW_COLUMNS)
  ).map(toView) as AwardView[];
  const items = await awardItems(
    db,
    rows.map((r) => r.id),
  );
  return makePage(
    rows.map((r) => ({ ...r, winners: items.filter((i) => i.award_id === r.id) })),
    Number(count),
    page,
  );
}

export interface DeskCall {
  id: number;
  title: string;
  scoring_closed_at: string;
}

/** A manager's work: calls of the street office whose scoring is closed and that await a proposal. */
export async function callsAwaitingProposal(db: Queryable, streetOfficeId: number): Promise<DeskCall[]> {
  return db('calls')
    .where({ street_office_id: streetOfficeId, status: 'under_review' })
    .whereNotNull('scoring_closed_at')
    .orderBy('scoring_closed_at')
    .select('id', 'title', 'scoring_closed_at');
}

export interface DeskAward extends AwardRow {
  call_title: string;
  open_objections: number;
  /** The oldest objection still waiting for an answer: the desk links straight to it. */
  first_open_objection_id: number | null;
}

/** Awards of the street office in publicity, with how many objections await an answer. */
export async function awardsInPublicity(db: Queryable, streetOfficeId: number): Promise<DeskAward[]> {
  const open = db('objections')
    .where({ status: 'open' })
    .groupBy('award_id')
    .select('award_id', db.raw('COUNT(*) as n'), db.raw('MIN(id) as first_id'));
  const rows = await db('awards as a')
    .join('calls as k', 'k.id', 'a.call_id')
    .leftJoin(open.as('o'), 'o.award_id', 'a.id')
    .where({ 'k.street_office_id': streetOfficeId, 'a.status': 'proposed' })
    .orderBy('a.publicity_ends_at')
    .select('a.*', 'k.title as call_title', 'o.n as open_objections', 'o.first_id as first_open_objection_id');
  return rows.map((r) => ({
    ...r,
    open_objections: Number(r.open_objections ?? 0),
    first_open_objection_id:
      r.first_open_objection_id === null || r.first_open_objection_id === undefined
        ? null
        : Number(r.first_open_objection_id),
  }));
}

export async function openObjectionCount(db: Queryable, awardId: number): Promise<number> {
  const row = await db('objections').where({ award_id: awardId, status: 'open' }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
