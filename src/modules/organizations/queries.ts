import type { Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';
import type { OrganizationStatus, OrganizationType } from './schemas';

// Every query here is written with the knex builder (LIKE, EXISTS, GROUP BY, CASE) so that it
// compiles the same on SQLite and PostgreSQL.

export interface OrganizationRow {
  id: number;
  name: string;
  credit_code: string;
  status: OrganizationStatus;
  org_type: OrganizationType | null;
  legal_representative: string | null;
  contact_person: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  founded_on: string | null;
  certified_social_workers: number;
  status_reason: string | null;
  reviewed_at: string | null;
  reviewed_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface CategoryRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
}

export interface DocumentRow {
  id: number;
  organization_id: number;
  kind: string;
  created_at: string;
  file_id: number;
  original_name: string;
  size_bytes: number;
  mime_type: string;
  storage_key: string;
  sha256: string;
}

export async function findOrganization(db: Queryable, id: number): Promise<OrganizationRow | undefined> {
  const row = await db<OrganizationRow>('organizations').where({ id }).first();
  return row ? { ...row, certified_social_workers: Number(row.certified_social_workers ?? 0) } : undefined;
}

export async function listOrganizationOptions(db: Queryable): Promise<{ id: number; name: string }[]> {
  return db('organizations').orderBy('name').select('id', 'name');
}

/** For the staff dashboard: the organization with its document count. */
export async function organizationSummary(db: Queryable, id: number) {
  const [org, docs] = await Promise.all([
    findOrganization(db, id),
    db('organization_documents').where({ organization_id: id }).count({ n: '*' }).first(),
  ]);
  return org ? { ...org, documentCount: Number(docs?.n ?? 0) } : null;
}

export async function listServiceCategories(db: Queryable): Promise<CategoryRow[]> {
  return db('service_categories').orderBy('sort_order').select('id', 'code', 'name_zh', 'name_en');
}

/** The categories of several organizations in one query: organization id -> categories. */
export async function categoriesOf(db: Queryable, organizationIds: number[]): Promise<Map<number, CategoryRow[]>> {
  const out = new Map<number, CategoryRow[]>();
  if (!organizationIds.length) return out;
  const rows = await db('organization_service_categories as oc')
    .join('service_categories as c', 'c.id', 'oc.service_category_id')
    .whereIn('oc.organization_id', organizationIds)
    .orderBy('c.sort_order')
    .select('oc.organization_id', 'c.id', 'c.code', 'c.name_zh', 'c.name_en');
  for (const r of rows) {
    const id = Number(r.organization_id);
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push({ id: Number(r.id), code: r.code, name_zh: r.name_zh, name_en: r.name_en });
  }
  return out;
}

/**
 * An organization's record of completed contracts and average evaluation, for the public registry.
 * Contracts and evaluations do not exist yet (issue 5): until that module provides them, every
 * organization has no record, and the pages say so (暂无) rather than show a made-up number.
 * Issue 5 replaces the body with one grouped query over its tables for `organizationIds`.
 */
export interface TrackRecord {
  completedContracts: number;
  averageEvaluation: number | null;
}
export async function trackRecordsOf(_db: Queryable, _organizationIds: number[]): Promise<Map<number, TrackRecord>> {
  return new Map();
}

export interface RegistryFilters {
  q?: string;
  categoryId?: number;
}

export interface RegistryItem {
  id: number;
  name: string;
  org_type: OrganizationType | null;
  certified_social_workers: number;
  founded_on: string | null;
}

/** The public registry: approved organizations only, by keyword (name) and category, by name. */
export async function listApproved(db: Queryable, filters: RegistryFilters, page: number): Promise<Page<RegistryItem>> {
  const base = db('organizations as o')
    .where('o.status', 'approved')
    .modify((qb) => {
      if (filters.q)
        qb.where((w) => w.where('o.name', 'like', `%${filters.q}%`).orWhere('o.credit_code', filters.q!.toUpperCase()));
      if (filters.categoryId) {
        qb.whereExists((sub) =>
          sub
            .select(db.raw('1'))
            .from('organization_service_categories as oc')
            .whereRaw('oc.organization_id = o.id')
            .where('oc.service_category_id', filters.categoryId!),
        );
      }
    });
  const [{ count }] = await base.clone().count({ count: '*' });
  const items = await base
    .clone()
    .orderBy('o.name')
    .orderBy('o.id')
    .limit(DEFAULT_PAGE_SIZE)
    .offset((page - 1) * DEFAULT_PAGE_SIZE)
    .select('o.id', 'o.name', 'o.org_type', 'o.certified_social_workers', 'o.founded_on');
  return makePage(
    (items as RegistryItem[]).map((r) => ({
      ...r,
      id: Number(r.id),
      certified_social_workers: Number(r.certified_social_workers),
    })),
    Number(count),
    page,
  );
}

export interface QueueItem {
  id: number;
  name: string;
  credit_code: string;
  org_type: OrganizationType | null;
  status: OrganizationStatus;
  created_at: string;
  reviewed_at: string | null;
  document_count: number;
}

/** The administrator's review queue: pending first, then oldest registration first. */
export async function listForReview(
  db: Queryable,
  status: OrganizationStatus | undefined,
  page: number,
): Promise<Page<QueueItem>> {
  const base = db('organizations as o').modify((qb) => {
    if (status) qb.where('o.status', status);
  });
  const [{ count }] = await base.clone().count({ count: '*' });
  const docCounts = db('organization_documents')
    .groupBy('organization_id')
    .select('organization_id')
    .count({ n: '*' })
    .as('d');
  const items = await base
    .clone()
    .leftJoin(docCounts, 'd.organization_id', 'o.id')
    .orderByRaw("CASE WHEN o.status = 'pending' THEN 0 ELSE 1 END")
    .orderBy('o.created_at')
    .orderBy('o.id')
    .limit(DEFAULT_PAGE_SIZE)
    .offset((page - 1) * DEFAULT_PAGE_SIZE)
    .select(
      'o.id',
      'o.name',
      'o.credit_code',
      'o.org_type',
      'o.status',
      'o.created_at',
      'o.reviewed_at',
      'd.n as document_count',
    );
  return makePage(
    (items as QueueItem[]).map((r) => ({ ...r, id: Number(r.id), document_count: Number(r.document_count ?? 0) })),
    Number(count),
    page,
  );
}

const DOCUMENT_COLUMNS = [
  'd.id',
  'd.organization_id',
  'd.kind',
  'd.created_at',
  'd.file_id',
  'f.original_name',
  'f.size_bytes',
  'f.mime_type',
  'f.storage_key',
  'f.sha256',
];

export async function listDocuments(db: Queryable, organizationId: number): Promise<DocumentRow[]> {
  return db('organization_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where('d.organization_id', organizationId)
    .orderBy('d.id', 'desc')
    .select(DOCUMENT_COLUMNS);
}

/** The document only if it belongs to this organization: a forged id of another's document is not found. */
export async function findDocument(
  db: Queryable,
  organizationId: number,
  documentId: number,
): Promise<DocumentRow | undefined> {
  return db('organization_documents as d')
    .join('stored_files as f', 'f.id', 'd.file_id')
    .where({ 'd.organization_id': organizationId, 'd.id': documentId })
    .first(DOCUMENT_COLUMNS);
}
