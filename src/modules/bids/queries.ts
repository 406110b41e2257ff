import crypto from 'node:crypto';
import { forUpdate, type Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';

// Reads of the bids module. Written with the knex builder only, so they compile the same on SQLite
// and PostgreSQL. Every function that returns anything of a bid to someone other than the bidding
// organization is documented "after the deadline only": the callers check isSealed first.

export type BidStatus = 'draft' | 'submitted' | 'withdrawn';

export interface BidRow {
  id: number;
  /** The public reference used in URLs and pages instead of the id (see newRef). */
  ref: string;
  call_id: number;
  organization_id: number;
  status: BidStatus;
  price_fen: number | null;
  matching_funds_fen: number;
  service_plan: string | null;
  staffing: string | null;
  schedule: string | null;
  expected_outcomes: string | null;
  submitted_at: string | null;
  withdrawn_at: string | null;
  created_by: number | null;
  updated_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface BudgetLine {
  position: number;
  item: string;
  amount_fen: number;
}

export interface BidFileRow {
  id: number;
  ref: string;
  bid_id: number;
  kind: string;
  created_at: string;
  file_id: number;
  original_name: string;
  mime_type: string;
  size_bytes: number;
  storage_key: string;
  sha256: string;
}

/** A submitted bid as other modules use it (field names as in the issue-4 design note). */
export interface SubmittedBid {
  id: number;
  ref: string;
  call_id: number;
  organization_id: number;
  organization_name: string;
  price_fen: number;
  matching_funds_fen: number;
  submitted_at: string;
}

const toBid = (r: BidRow): BidRow => ({
  ...r,
  id: Number(r.id),
  call_id: Number(r.call_id),
  organization_id: Number(r.organization_id),
  price_fen: r.price_fen === null ? null : Number(r.price_fen),
  matching_funds_fen: Number(r.matching_funds_fen),
});

/** Sealed: true before the call's closing time (the server clock decides, to the millisecond). */
export function isSealed(call: { closes_at: string }, now: Date): boolean {
  return now.toISOString() < call.closes_at;
}

/**
 * A random public reference (16 hex digits) for a bid or a bid file. Ids are one global sequence:
 * shown to a bidder, two of its own ids would tell that others bid in between, on any call, before
 * any deadline. So no page, URL or audit event shows a bid's or bid file's id; they show this.
 */
export function newRef(): string {
  return crypto.randomBytes(8).toString('hex');
}

const REF = /^[0-9a-f]{16}$/;
export const isRef = (v: unknown): v is string => typeof v === 'string' && REF.test(v);

/** The bid with that public reference, whatever its status. Callers check who may see it. */
export async function findBidByRef(db: Queryable, ref: unknown): Promise<BidRow | undefined> {
  if (!isRef(ref)) return undefined;
  const row = await db<BidRow>('bids').where({ ref }).first();
  return row ? toBid(row) : undefined;
}

/** The bid row (with call_id and organization_id), whatever its status. Callers check who may see it. */
export async function findBid(db: Queryable, bidId: number, lock = false): Promise<BidRow | undefined> {
  if (!Number.isSafeInteger(bidId) || bidId <= 0) return undefined;
  const q = db<BidRow>('bids').where({ id: bidId }).first();
  const row = await (lock ? forUpdate(db, q) : q);
  return row ? toBid(row) : undefined;
}

/** The organization's active (draft or submitted) bid on a call, if any. */
export async function activeBidOf(db: Queryable, callId: number, organizationId: number): Promise<BidRow | undefined> {
  const row = await db<BidRow>('bids')
    .where({ call_id: callId, organization_id: organizationId })
    .whereNot('status', 'withdrawn')
    .first();
  return row ? toBid(row) : undefined;
}

/** Submitted bids of a call with the organization's name, oldest submission first.
 *  After the deadline only: before it, this is sealed information. */
export async function submittedBids(db: Queryable, callId: number): Promise<SubmittedBid[]> {
  const rows = await db('bids as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where({ 'b.call_id': callId, 'b.status': 'submitted' })
    .orderBy('b.submitted_at')
    .orderBy('b.id')
    .select(
      'b.id',
      'b.ref',
      'b.call_id',
      'b.organization_id',
      'o.name as organization_name',
      'b.price_fen',
      'b.matching_funds_fen',
      'b.submitted_at',
    );
  return rows.map((r) => ({
    id: Number(r.id),
    ref: r.ref,
    call_id: Number(r.call_id),
    organization_id: Number(r.organization_id),
    organization_name: r.organization_name,
    price_fen: Number(r.price_fen),
    matching_funds_fen: Number(r.matching_funds_fen),
    submitted_at: r.submitted_at,
  }));
}

/** Whether any bid has been submitted on the call (the calls module's amendment rule). */
export async function hasSubmittedBids(db: Queryable, callId: number): Promise<boolean> {
  return !!(await db('bids').where({ call_id: callId, status: 'submitted' }).first('id'));
}

/** Organizations with an active (draft or submitted) bid on the call: who to notify when it changes. */
export async function bidderOrganizationIds(db: Queryable, callId: number): Promise<number[]> {
  const rows = await db('bids')
    .where({ call_id: callId })
    .whereNot('status', 'withdrawn')
    .distinct('organization_id')
    .orderBy('organization_id');
  return rows.map((r) => Number(r.organization_id));
}

/** How many bids have been submitted. After the deadline only. */
export async function submittedBidCount(db: Queryable, callId: number): Promise<number> {
  const row = await db('bids').where({ call_id: callId, status: 'submitted' }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function budgetLines(db: Queryable, bidId: number): Promise<BudgetLine[]> {
  const rows = await db('bid_budget_lines')
    .where({ bid_id: bidId })
    .orderBy('position')
    .select('position', 'item', 'amount_fen');
  return rows.map((r) => ({ position: Number(r.position), item: r.item, amount_fen: Number(r.amount_fen) }));
}

const FILE_COLUMNS = [
  'bf.id',
  'bf.ref',
  'bf.bid_id',
  'bf.kind',
  'bf.created_at',
  'bf.file_id',
  'f.original_name',
  'f.mime_type',
  'f.size_bytes',
  'f.storage_key',
  'f.sha256',
];

export async function bidFiles(db: Queryable, bidId: number): Promise<BidFileRow[]> {
  return db('bid_files as bf')
    .join('stored_files as f', 'f.id', 'bf.file_id')
    .where('bf.bid_id', bidId)
    .orderBy('bf.id')
    .select(FILE_COLUMNS);
}

/** The file only if it belongs to this bid: another bid's file reference is not found. */
export async function findBidFile(db: Queryable, bidId: number, fileRef: unknown): Promise<BidFileRow | undefined> {
  if (!isRef(fileRef)) return undefined;
  const row = await db('bid_files as bf')
    .join('stored_files as f', 'f.id', 'bf.file_id')
    .where({ 'bf.bid_id': bidId, 'bf.ref': fileRef })
    .first(FILE_COLUMNS);
  return row ? { ...row, id: Number(row.id), file_id: Number(row.file_id) } : undefined;
}

export interface MyBidRow {
  id: number;
  ref: string;
  call_id: number;
  status: BidStatus;
  price_fen: number | null;
  submitted_at: string | null;
  updated_at: string;
  call_title: string;
  call_closes_at: string;
  call_status: string;
  street_office_name: string;
}

/** An organization's own bids across calls, newest first (uses bids_org_idx). */
export async function organizationBids(db: Queryable, organizationId: number, page: number): Promise<Page<MyBidRow>> {
  const base = db('bids as b').where('b.organization_id', organizationId);
  const [{ count }] = await base.clone().count({ count: '*' });
  const items = await base
    .clone()
    .join('calls as c', 'c.id', 'b.call_id')
    .join('street_offices as s', 's.id', 'c.street_office_id')
    .orderBy('b.id', 'desc')
    .limit(DEFAULT_PAGE_SIZE)
    .offset((page - 1) * DEFAULT_PAGE_SIZE)
    .select(
      'b.id',
      'b.ref',
      'b.call_id',
      'b.status',
      'b.price_fen',
      'b.submitted_at',
      'b.updated_at',
      'c.title as call_title',
      'c.closes_at as call_closes_at',
      'c.status as call_status',
      's.name as street_office_name',
    );
  return makePage(
    items.map((r: MyBidRow) => ({
      ...r,
      id: Number(r.id),
      call_id: Number(r.call_id),
      price_fen: r.price_fen === null ? null : Number(r.price_fen),
    })),
    Number(count),
    page,
  );
}
