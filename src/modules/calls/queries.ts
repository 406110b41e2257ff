import { forUpdate, type Queryable } from '../../db/knex';
import { paginateByKey, type Cursor, type KeyColumn, type KeyedPage } from '../../shared/pagination';
import type { FundSource } from '../funds';
import type { Criterion } from './weights';

export interface CallRow {
  id: number;
  street_office_id: number;
  catalog_item_id: number;
  title: string;
  description: string;
  funding_mode: string;
  method: string;
  budget_fen: number;
  budget_year: number;
  per_project_cap_fen: number | null;
  opens_at: string;
  closes_at: string;
  weight_self: number;
  weight_manager: number;
  weight_peer: number;
  weight_citizen: number;
  weight_third_party: number;
  publicity_days: number;
  max_advance_percent: number;
  review_days: number;
  citizen_min_ratings: number;
  status: string;
  published_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface CallView extends CallRow {
  street_office_name: string;
  item_code: string;
  item_name: string;
  item_status: string;
  category_id: number;
  category_name_zh: string;
  category_name_en: string;
}

export interface CallDocumentRow {
  id: number;
  call_id: number;
  created_at: string;
  file_id: number;
  original_name: string;
  size_bytes: number;
  mime_type: string;
  storage_key: string;
  sha256: string;
}

export interface AmendmentRow {
  id: number;
  call_id: number;
  kind: string;
  changes_json: string;
  occurred_at: string;
  user_name: string | null;
}

const VIEW_COLUMNS = [
  'k.*',
  's.name as street_office_name',
  'i.code as item_code',
  'i.name as item_name',
  'i.status as item_status',
  'c.id as category_id',
  'c.name_zh as category_name_zh',
  'c.name_en as category_name_en',
];

function viewQuery(db: Queryable) {
  return db('calls as k')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .join('catalog_items as i', 'i.id', 'k.catalog_item_id')
    .join('service_categories as c', 'c.id', 'i.category_id');
}

export async function findCall(db: Queryable, id: number): Promise<CallView | undefined> {
  return viewQuery(db).where('k.id', id).first(VIEW_COLUMNS);
}

export async function findCallRow(db: Queryable, id: number, lock = false): Promise<CallRow | undefined> {
  const q = db<CallRow>('calls').where({ id }).first();
  return lock ? forUpdate(db, q) : q;
}

export async function callSources(
  db: Queryable,
  callId: number,
): Promise<{ source: FundSource; amount_fen: number }[]> {
  const rows = await db('call_fund_sources').where({ call_id: callId }).select('source', 'amount_fen');
  return rows.map((r) => ({ source: r.source as FundSource, amount_fen: Number(r.amount_fen) }));
}

export async function callCriteria(db: Queryable, callId: number): Promise<Criterion[]> {
  const rows = await db('call_criteria').where({ call_id: callId }).orderBy('position').select('name', 'weight');
  return rows.map((r) => ({ name: r.name, weight: Number(r.weight) }));
}

const DOCUMENT_COLUMNS = [
  'd.id',
  'd.call_id',
  'd.created_at',
  'd.file_id',
  'f.original_name',
  'f.size_bytes',
  'f.mime_type',
  'f.storage_key',
  'f.sha256',
];

export async function callDocuments(db: Queryable, callId: number): Promise<CallDocumentRow[]> {
  return db('call_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where('d.call_id', callId)
    .orderBy('d.id')
    .select(DOCUMENT_COLUMNS);
}

/** The document only if it belongs to this call: a forged id of another call's file is not found. */
export async function findCallDocument(
  db: Queryable,
  callId: number,
  documentId: number,
): Promise<CallDocumentRow | undefined> {
  return db('call_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where({ 'd.call_id': callId, 'd.id': documentId })
    .first(DOCUMENT_COLUMNS);
}

export async function callAmendments(db: Queryable, callId: number): Promise<AmendmentRow[]> {
  return db('call_amendments as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .where('a.call_id', callId)
    .orderBy('a.id')
    .select('a.id', 'a.call_id', 'a.kind', 'a.changes_json', 'a.occurred_at', 'u.display_name as user_name');
}

/** Public states a visitor can filter by; "open"/"closed" are published calls on either side of the deadline. */
export const PUBLIC_STATUS_FILTERS = ['open', 'closed', 'cancelled', 'all'] as const;
export type PublicStatusFilter = (typeof PUBLIC_STATUS_FILTERS)[number];

export interface CallFilters {
  categoryId?: number;
  streetOfficeId?: number;
  method?: string;
  status: PublicStatusFilter | 'draft' | 'any';
}

/** The calls list's order, soonest deadline first; its cursor is the deadline and the id. */
export const CALL_LIST_ORDER: KeyColumn[] = [
  { column: 'k.closes_at', field: 'closes_at', kind: 'iso' },
  { column: 'k.id', field: 'id', kind: 'int' },
];

/** ISO-8601 UTC strings of one length compare as text in time order, on SQLite and PostgreSQL alike.
 *  A page reached by its "next" or "previous" link starts at its cursor (paginateByKey). */
export async function listCalls(
  db: Queryable,
  filters: CallFilters,
  nowIso: string,
  page: number,
  cursor?: Cursor,
): Promise<KeyedPage<CallView>> {
  // Counted and paged on the calls alone (every call has its street office, item and category: the
  // joins add columns, never remove rows), the category as the set of its items; then the columns of
  // the page's twenty calls. A deep page walks the index calls_closes_id_idx (closes_at, id, status)
  // to its offset instead of joining and sorting every call before it.
  const base = db('calls as k').modify((qb) => {
    if (filters.categoryId)
      qb.whereIn('k.catalog_item_id', db('catalog_items').where('category_id', filters.categoryId).select('id'));
    if (filters.streetOfficeId) qb.where('k.street_office_id', filters.streetOfficeId);
    if (filters.method) qb.where('k.method', filters.method);
    switch (filters.status) {
      case 'open':
        qb.where('k.status', 'published').where('k.closes_at', '>', nowIso);
        break;
      case 'closed':
        // Past the deadline, whatever came after (under review, publicity, awarded), unless cancelled.
        qb.whereNotIn('k.status', ['draft', 'cancelled']).where('k.closes_at', '<=', nowIso);
        break;
      case 'cancelled':
        qb.where('k.status', 'cancelled');
        break;
      case 'draft':
        qb.where('k.status', 'draft');
        break;
      case 'all':
        qb.whereNot('k.status', 'draft');
        break;
      case 'any':
        break;
    }
  });
  const ids = await paginateByKey<{ id: number; closes_at: string }>(base, page, CALL_LIST_ORDER, cursor, (qb) =>
    qb.select('k.id', 'k.closes_at'),
  );
  const items: CallView[] = ids.items.length
    ? await viewQuery(db)
        .whereIn(
          'k.id',
          ids.items.map((r) => Number(r.id)),
        )
        .orderBy('k.closes_at')
        .orderBy('k.id')
        .select(VIEW_COLUMNS)
    : [];
  return { ...ids, items };
}
