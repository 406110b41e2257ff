import type { Knex } from 'knex';
import { forUpdate, type Queryable } from '../../db/knex';
import { paginateBounded, type Page } from '../../shared/pagination';
import type { Milestone, Terms } from './terms';

export const CONTRACT_STATUSES = ['draft', 'sent', 'accepted', 'active', 'completed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export interface Party {
  name: string;
  legalRepresentative: string;
  address: string;
  creditCode?: string;
  contactName?: string;
  contactPhone?: string;
}

export interface ContractRow {
  id: number;
  number: string;
  street_office_id: number;
  year: number;
  seq: number;
  award_id: number;
  award_item_id: number;
  call_id: number;
  organization_id: number;
  title: string;
  status: ContractStatus;
  current_version: number;
  party_a_json: string;
  party_b_json: string;
  signing_deadline: string;
  sent_at: string | null;
  sent_by: number | null;
  returned_at: string | null;
  returned_by: number | null;
  return_comment: string | null;
  accepted_at: string | null;
  accepted_by: number | null;
  signed_at: string | null;
  signed_by: number | null;
  signing_date: string | null;
  pdf_file_id: number | null;
  pdf_sha256: string | null;
  scan_file_id: number | null;
  scan_sha256: string | null;
  completed_at: string | null;
  terminated_at: string | null;
  terminated_by: number | null;
  termination_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface ContractView extends ContractRow {
  organization_name: string;
  street_office_name: string;
  call_title: string;
  catalog_item_name: string;
  max_advance_percent: number;
  accepted_by_name: string | null;
  signed_by_name: string | null;
}

export interface VersionRow {
  id: number;
  contract_id: number;
  version: number;
  status: 'draft' | 'current' | 'superseded' | 'proposed' | 'rejected';
  amount_fen: number;
  period_start: string;
  period_end: string;
  service_plan: string;
  sources_json: string;
  milestones_json: string;
  reasons_json: string | null;
  changes_json: string | null;
  proposed_by: number | null;
  proposed_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_comment: string | null;
}

export interface MilestoneRow {
  id: number;
  contract_id: number;
  seq: number;
  title: string;
  deliverables: string;
  due_date: string;
  amount_fen: number;
  advance: boolean | number;
  pass_score: number | null;
  partial_rule: 'none' | 'pro_rata';
  floor_score: number | null;
  weight_self: number;
  weight_manager: number;
  weight_peer: number;
  weight_citizen: number;
  weight_third_party: number;
  settlement: string | null;
  settled_at: string | null;
}

const VIEW_COLUMNS = [
  'c.*',
  'o.name as organization_name',
  's.name as street_office_name',
  'k.title as call_title',
  'k.max_advance_percent',
  'ci.name as catalog_item_name',
  'ua.display_name as accepted_by_name',
  'us.display_name as signed_by_name',
];

const view = (db: Queryable) =>
  db('contracts as c')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .join('street_offices as s', 's.id', 'c.street_office_id')
    .join('calls as k', 'k.id', 'c.call_id')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .leftJoin('users as ua', 'ua.id', 'c.accepted_by')
    .leftJoin('users as us', 'us.id', 'c.signed_by');

const numeric = <T extends { max_advance_percent?: number }>(r: T): T => ({
  ...r,
  max_advance_percent: Number(r.max_advance_percent),
});

export async function findContract(db: Queryable, id: number): Promise<ContractView | undefined> {
  if (!id) return undefined;
  const row = await view(db).where('c.id', id).first(VIEW_COLUMNS);
  return row ? numeric(row) : undefined;
}

/** The contract row, locked for the rest of the transaction on PostgreSQL. */
export async function lockContract(trx: Knex.Transaction, id: number, lock: boolean): Promise<ContractRow | undefined> {
  const q = trx<ContractRow>('contracts').where({ id }).first();
  return lock ? forUpdate(trx, q) : q;
}

export async function versionsOf(db: Queryable, contractId: number): Promise<VersionRow[]> {
  return db<VersionRow>('contract_versions').where({ contract_id: contractId }).orderBy('version');
}

/** The version in force (the draft before signing, the current one after). */
export async function versionInForce(db: Queryable, contractId: number): Promise<VersionRow | undefined> {
  return db<VersionRow>('contract_versions')
    .where({ contract_id: contractId })
    .whereIn('status', ['draft', 'current'])
    .first();
}

export async function proposedVersion(db: Queryable, contractId: number): Promise<VersionRow | undefined> {
  return db<VersionRow>('contract_versions').where({ contract_id: contractId, status: 'proposed' }).first();
}

export async function milestonesOf(db: Queryable, contractId: number): Promise<MilestoneRow[]> {
  return db<MilestoneRow>('contract_milestones').where({ contract_id: contractId }).orderBy('seq');
}

export const toMilestone = (m: MilestoneRow): Milestone => ({
  seq: Number(m.seq),
  title: m.title,
  deliverables: m.deliverables,
  dueDate: m.due_date,
  amountFen: Number(m.amount_fen),
  advance: Boolean(m.advance),
  passScore: m.pass_score === null ? null : Number(m.pass_score),
  partialRule: m.partial_rule,
  floorScore: m.floor_score === null ? null : Number(m.floor_score),
  weights: {
    self: Number(m.weight_self),
    manager: Number(m.weight_manager),
    peer: Number(m.weight_peer),
    citizen: Number(m.weight_citizen),
    third_party: Number(m.weight_third_party),
  },
});

export function termsOf(v: VersionRow): Terms {
  return {
    amountFen: Number(v.amount_fen),
    periodStart: v.period_start,
    periodEnd: v.period_end,
    servicePlan: v.service_plan,
    milestones: JSON.parse(v.milestones_json) as Milestone[],
  };
}

export interface ListFilters {
  status?: ContractStatus;
  year?: number;
  organizationId?: number;
}

export type ContractListItem = Pick<
  ContractView,
  | 'id'
  | 'number'
  | 'title'
  | 'status'
  | 'organization_name'
  | 'street_office_name'
  | 'signing_deadline'
  | 'signed_at'
  | 'year'
  | 'award_item_id'
> & { amount_fen: number };

function listQuery(db: Queryable, scope: { streetOfficeIds?: number[]; organizationId?: number }, f: ListFilters) {
  const q = db('contracts as c');
  if (scope.streetOfficeIds) q.whereIn('c.street_office_id', scope.streetOfficeIds);
  if (scope.organizationId)
    q.where('c.organization_id', scope.organizationId).where((w) =>
      w.whereNot('c.status', 'draft').orWhereNotNull('c.sent_at'),
    );
  if (f.status) q.where('c.status', f.status);
  if (f.year) q.where('c.year', f.year);
  if (f.organizationId) q.where('c.organization_id', f.organizationId);
  return q;
}

/** A page of contracts, newest first, with the amount of the version in force (one join, no loop). */
export async function listContracts(
  db: Queryable,
  scope: { streetOfficeIds?: number[]; organizationId?: number },
  f: ListFilters,
  page: number,
): Promise<Page<ContractListItem>> {
  const result = await paginateBounded<ContractListItem>(listQuery(db, scope, f), page, (qb) =>
    qb
      .join('organizations as o', 'o.id', 'c.organization_id')
      .join('street_offices as s', 's.id', 'c.street_office_id')
      .join('contract_versions as v', (j) => j.on('v.contract_id', 'c.id').andOn('v.version', 'c.current_version'))
      .orderBy('c.id', 'desc')
      .select(
        'c.id',
        'c.award_item_id',
        'c.number',
        'c.title',
        'c.status',
        'c.year',
        'c.signing_deadline',
        'c.signed_at',
        'o.name as organization_name',
        's.name as street_office_name',
        'v.amount_fen',
      ),
  );
  return { ...result, items: result.items.map((r) => ({ ...r, amount_fen: Number(r.amount_fen) })) };
}

/** Organizations that have contracts in these street offices, for the list's filter. */
export async function contractOrganizations(
  db: Queryable,
  streetOfficeIds: number[],
): Promise<{ id: number; name: string }[]> {
  return db('contracts as c')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .whereIn('c.street_office_id', streetOfficeIds)
    .distinct('o.id', 'o.name')
    .orderBy('o.name');
}

export interface ItemContract {
  award_item_id: number;
  id: number;
  number: string;
  status: ContractStatus;
  signing_deadline: string;
}

/** The contract of each award item of these awards, if any (for the award page and the desk). */
export async function contractsOfAwards(db: Queryable, awardIds: number[]): Promise<ItemContract[]> {
  if (!awardIds.length) return [];
  return db('contracts')
    .whereIn('award_id', awardIds)
    .select('award_item_id', 'id', 'number', 'status', 'signing_deadline');
}

/** The audit events of a contract, oldest first. */
export async function contractEvents(db: Queryable, contractId: number) {
  return db('audit_events')
    .where({ subject_type: 'contract', subject_id: String(contractId) })
    .orderBy('id')
    .select('id', 'occurred_at', 'actor_label', 'action', 'after_json');
}

export interface FinalAwardItem {
  award_id: number;
  award_item_id: number;
  call_id: number;
  call_title: string;
  final_at: string;
  organization_name: string;
  amount_fen: number;
  contract_id: number | null;
  contract_number: string | null;
  contract_status: ContractStatus | null;
  signing_deadline: string | null;
}

/** The items of a street office's final awards with their contract, if any, for the award desk:
 *  those without a signed contract first, by how soon the window closes. */
export async function finalAwardItems(db: Queryable, streetOfficeId: number): Promise<FinalAwardItem[]> {
  const rows = await db('award_items as i')
    .join('awards as a', 'a.id', 'i.award_id')
    .join('calls as k', 'k.id', 'a.call_id')
    .join('bids as b', 'b.id', 'i.bid_id')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .leftJoin('contracts as c', 'c.award_item_id', 'i.id')
    .where({ 'k.street_office_id': streetOfficeId, 'a.status': 'final' })
    .where((w) => w.whereNull('c.id').orWhereIn('c.status', ['draft', 'sent', 'accepted']))
    .orderBy([{ column: 'a.final_at' }, { column: 'i.rank' }])
    .limit(200)
    .select(
      'i.award_id',
      'i.id as award_item_id',
      'a.call_id',
      'k.title as call_title',
      'a.final_at',
      'o.name as organization_name',
      'i.amount_fen',
      'c.id as contract_id',
      'c.number as contract_number',
      'c.status as contract_status',
      'c.signing_deadline',
    );
  return rows.map((r) => ({ ...r, amount_fen: Number(r.amount_fen) }));
}

export interface AwardItemContract {
  award_item_id: number;
  bid_id: number;
  contract_id: number | null;
  contract_number: string | null;
  contract_status: ContractStatus | null;
}

/** Each item of one award with its contract, if any (the award page's "create contract" per item). */
export async function awardItemContracts(db: Queryable, awardId: number): Promise<AwardItemContract[]> {
  const rows = await db('award_items as i')
    .leftJoin('contracts as c', 'c.award_item_id', 'i.id')
    .where('i.award_id', awardId)
    .orderBy('i.rank')
    .select(
      'i.id as award_item_id',
      'i.bid_id',
      'c.id as contract_id',
      'c.number as contract_number',
      'c.status as contract_status',
    );
  return rows.map((r) => ({ ...r, award_item_id: Number(r.award_item_id), bid_id: Number(r.bid_id) }));
}
