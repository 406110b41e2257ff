import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { paginateByKey, type Cursor, type KeyColumn, type KeyedPage } from '../../shared/pagination';
import { redactPersonalData } from '../../shared/redact';
import type { ContractStatus, Party } from './queries';

/**
 * What the public may read of contracts (the disclosure pages and the open data): signed contracts
 * only (active, completed, terminated), parties by name and credit code, free text through
 * redactPersonalData. A draft, a sent or an accepted contract is never returned.
 */
export const PUBLIC_CONTRACT_STATUSES = [
  'active',
  'completed',
  'terminated',
] as const satisfies readonly ContractStatus[];
export type PublicContractStatus = (typeof PUBLIC_CONTRACT_STATUSES)[number];

export interface PublicContractFilters {
  streetOfficeId?: number;
  year?: number;
  categoryId?: number;
  organizationId?: number;
  status?: PublicContractStatus;
  callIds?: number[];
  ids?: number[];
}

export interface PublicContractRow {
  id: number;
  number: string;
  title: string;
  status: PublicContractStatus;
  year: number;
  street_office_id: number;
  street_office_name: string;
  organization_id: number;
  organization_name: string;
  call_id: number;
  award_id: number;
  award_item_id: number;
  category_id: number;
  category_zh: string;
  category_en: string;
  amount_fen: number;
  period_start: string;
  period_end: string;
  signed_at: string;
}

function publicQuery(db: Queryable, f: PublicContractFilters) {
  const q = db('contracts as c').whereIn('c.status', f.status ? [f.status] : [...PUBLIC_CONTRACT_STATUSES]);
  if (f.year) q.where('c.year', f.year);
  if (f.streetOfficeId) q.where('c.street_office_id', f.streetOfficeId);
  if (f.organizationId) q.where('c.organization_id', f.organizationId);
  if (f.callIds) q.whereIn('c.call_id', f.callIds.length ? f.callIds : [0]);
  if (f.ids) q.whereIn('c.id', f.ids.length ? f.ids : [0]);
  // The category the contract was drafted under, kept on it (index contracts_category_id_idx: the
  // newest of a category straight from the index).
  if (f.categoryId) q.where('c.category_id', f.categoryId);
  return q;
}

const withColumns = (qb: ReturnType<typeof publicQuery>) =>
  qb
    .join('organizations as o', 'o.id', 'c.organization_id')
    .join('street_offices as s', 's.id', 'c.street_office_id')
    .join('service_categories as sc', 'sc.id', 'c.category_id')
    .join('contract_versions as v', (j) => j.on('v.contract_id', 'c.id').andOn('v.version', 'c.current_version'))
    .orderBy('c.id', 'desc')
    .select(
      'c.id',
      'c.number',
      'c.title',
      'c.status',
      'c.year',
      'c.street_office_id',
      's.name as street_office_name',
      'c.organization_id',
      'o.name as organization_name',
      'c.call_id',
      'c.award_id',
      'c.award_item_id',
      'c.category_id',
      'sc.name_zh as category_zh',
      'sc.name_en as category_en',
      'v.amount_fen',
      'v.period_start',
      'v.period_end',
      'c.signed_at',
    );

const toRow = (r: PublicContractRow): PublicContractRow => ({
  ...r,
  id: Number(r.id),
  year: Number(r.year),
  street_office_id: Number(r.street_office_id),
  organization_id: Number(r.organization_id),
  call_id: Number(r.call_id),
  award_id: Number(r.award_id),
  award_item_id: Number(r.award_item_id),
  category_id: Number(r.category_id),
  amount_fen: Number(r.amount_fen),
});

/** The public list's order, newest first; its cursor (`?after=` / `?before=`) is the contract id. */
export const PUBLIC_CONTRACT_ORDER: KeyColumn[] = [{ column: 'c.id', field: 'id', desc: true, kind: 'int' }];

/** A page of signed contracts, newest first (two queries, indexed by year, status, id), counted no
 *  further than COUNT_WINDOW rows past the page: the public list's most-visited first page no longer counts
 *  every signed contract of the province, and a page reached by its "next" link starts at its cursor
 *  (paginateByKey), so the middle of 100,000 contracts costs what the second page does. */
export async function listPublicContracts(
  db: Queryable,
  f: PublicContractFilters,
  page: number,
  pageSize?: number,
  cursor?: Cursor,
): Promise<KeyedPage<PublicContractRow>> {
  // The page's ids first: a narrow walk of the contracts alone (index contracts_id_status_idx), then
  // the columns of those twenty. Joined before the offset, a deep page (2,500 of the full set) was
  // planned as a sort of every signed contract with all its joins: 3.8 s.
  const ids = await paginateByKey<{ id: number }>(
    publicQuery(db, f),
    page,
    PUBLIC_CONTRACT_ORDER,
    cursor,
    (qb) => qb.select('c.id'),
    pageSize,
  );
  const rows: PublicContractRow[] = ids.items.length
    ? await withColumns(
        db('contracts as c').whereIn(
          'c.id',
          ids.items.map((r) => Number(r.id)),
        ),
      )
    : [];
  return { ...ids, items: rows.map(toRow) };
}

export interface PaidInCategory {
  /** null: paid on no contract, or on one the public may not see (its figures go to "other"). */
  categoryId: number | null;
  nameZh: string | null;
  nameEn: string | null;
  paidFen: number;
}

/**
 * Sums `paid` (a query of contract_id, paid_fen: funds' paidByContractOfStreetYear) per service
 * category of the contract, in one grouped statement: a contract counts under its category when
 * allPublicContracts would return it (signed, with its organization, street office, category and
 * current version), else under null. Each contract is a few primary-key lookups.
 */
export async function publicPaidByCategory(db: Queryable, paid: Knex.QueryBuilder): Promise<PaidInCategory[]> {
  const visible =
    'c.id IS NOT NULL AND o.id IS NOT NULL AND s.id IS NOT NULL AND v.contract_id IS NOT NULL AND sc.id IS NOT NULL';
  const category = `CASE WHEN ${visible} THEN sc.id END`;
  const rows = await db
    .from(paid.as('p'))
    .leftJoin('contracts as c', (j) => j.on('c.id', 'p.contract_id').onIn('c.status', [...PUBLIC_CONTRACT_STATUSES]))
    .leftJoin('organizations as o', 'o.id', 'c.organization_id')
    .leftJoin('street_offices as s', 's.id', 'c.street_office_id')
    .leftJoin('service_categories as sc', 'sc.id', 'c.category_id')
    .leftJoin('contract_versions as v', (j) => j.on('v.contract_id', 'c.id').andOn('v.version', 'c.current_version'))
    .groupByRaw(category)
    .select(
      db.raw(`${category} AS category_id`),
      db.raw(`MAX(CASE WHEN ${visible} THEN sc.name_zh END) AS name_zh`),
      db.raw(`MAX(CASE WHEN ${visible} THEN sc.name_en END) AS name_en`),
      db.raw('CAST(SUM(p.paid_fen) AS BIGINT) AS paid_fen'),
    );
  return (rows as Record<string, unknown>[]).map((r) => ({
    categoryId: r.category_id === null ? null : Number(r.category_id),
    nameZh: (r.name_zh as string | null) ?? null,
    nameEn: (r.name_en as string | null) ?? null,
    paidFen: Number(r.paid_fen),
  }));
}

/** Every signed contract matching the filters, newest first (CSV downloads, the open data, the registry). */
export async function allPublicContracts(db: Queryable, f: PublicContractFilters): Promise<PublicContractRow[]> {
  return (await withColumns(publicQuery(db, f))).map(toRow);
}

export interface PublicMilestone {
  id: number;
  seq: number;
  title: string;
  deliverables: string;
  dueDate: string;
  amountFen: number;
  advance: boolean;
  passScore: number | null;
  settlement: string | null;
  settledAt: string | null;
}

export interface PublicAmendment {
  version: number;
  decidedAt: string | null;
  changes: { aspect: string; before: unknown; after: unknown }[];
  /** aspect → reason, scrubbed of phone and ID numbers. */
  reasons: Record<string, string>;
}

export interface PublicContract extends PublicContractRow {
  partyA: { name: string; creditCode: string | null };
  partyB: { name: string; creditCode: string | null };
  callTitle: string;
  catalogItemName: string;
  servicePlan: string;
  pdfSha256: string | null;
  completedAt: string | null;
  terminatedAt: string | null;
  terminationReason: string | null;
  milestones: PublicMilestone[];
  amendments: PublicAmendment[];
}

/** One signed contract for the public, or undefined (unknown, or not signed: a draft never shows). */
export async function publicContract(db: Queryable, id: number): Promise<PublicContract | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const row = await withColumns(publicQuery(db, {}).where('c.id', id))
    .join('calls as k', 'k.id', 'c.call_id')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .first(
      'c.party_a_json',
      'c.party_b_json',
      'k.title as call_title',
      'ci.name as catalog_item_name',
      'v.service_plan',
      'c.pdf_sha256',
      'c.completed_at',
      'c.terminated_at',
      'c.termination_reason',
    );
  if (!row) return undefined;
  const [milestones, versions] = await Promise.all([
    db('contract_milestones').where({ contract_id: id }).orderBy('seq'),
    db('contract_versions')
      .where({ contract_id: id })
      .whereIn('status', ['current', 'superseded'])
      .where('version', '>', 1)
      .orderBy('version'),
  ]);
  const a = JSON.parse(row.party_a_json) as Party;
  const b = JSON.parse(row.party_b_json) as Party;
  return {
    ...toRow(row),
    partyA: { name: a.name, creditCode: a.creditCode ?? null },
    partyB: { name: b.name, creditCode: b.creditCode ?? null },
    callTitle: row.call_title,
    catalogItemName: row.catalog_item_name,
    servicePlan: redactPersonalData(row.service_plan ?? ''),
    pdfSha256: row.pdf_sha256 ?? null,
    completedAt: row.completed_at ?? null,
    terminatedAt: row.terminated_at ?? null,
    terminationReason: row.termination_reason ? redactPersonalData(row.termination_reason) : null,
    milestones: milestones.map((m: Record<string, unknown>) => ({
      id: Number(m.id),
      seq: Number(m.seq),
      title: redactPersonalData(String(m.title)),
      deliverables: redactPersonalData(String(m.deliverables ?? '')),
      dueDate: String(m.due_date),
      amountFen: Number(m.amount_fen),
      advance: Boolean(m.advance),
      passScore: m.pass_score === null ? null : Number(m.pass_score),
      settlement: (m.settlement as string | null) ?? null,
      settledAt: (m.settled_at as string | null) ?? null,
    })),
    amendments: versions.map(
      (v: {
        version: number;
        decided_at: string | null;
        changes_json: string | null;
        reasons_json: string | null;
      }) => ({
        version: Number(v.version),
        decidedAt: v.decided_at,
        changes: v.changes_json ? JSON.parse(v.changes_json) : [],
        reasons: Object.fromEntries(
          Object.entries((v.reasons_json ? JSON.parse(v.reasons_json) : {}) as Record<string, string>).map(([k, r]) => [
            k,
            redactPersonalData(r),
          ]),
        ),
      }),
    ),
  };
}

/** The milestones of signed contracts (the registry's on-time count, the open data), by contract. */
export async function publicMilestonesOf(
  db: Queryable,
  contractIds: number[],
): Promise<Map<number, PublicMilestone[]>> {
  const out = new Map<number, PublicMilestone[]>(contractIds.map((id) => [id, []]));
  if (!contractIds.length) return out;
  const rows = await db('contract_milestones as m')
    .join('contracts as c', 'c.id', 'm.contract_id')
    .whereIn('m.contract_id', contractIds)
    .whereIn('c.status', [...PUBLIC_CONTRACT_STATUSES])
    .orderBy(['m.contract_id', 'm.seq'])
    .select('m.*');
  for (const m of rows) {
    out.get(Number(m.contract_id))?.push({
      id: Number(m.id),
      seq: Number(m.seq),
      title: redactPersonalData(String(m.title)),
      deliverables: redactPersonalData(String(m.deliverables ?? '')),
      dueDate: String(m.due_date),
      amountFen: Number(m.amount_fen),
      advance: Boolean(m.advance),
      passScore: m.pass_score === null ? null : Number(m.pass_score),
      settlement: m.settlement ?? null,
      settledAt: m.settled_at ?? null,
    });
  }
  return out;
}
