import type { Knex } from 'knex';
import { orderedList, type Queryable } from '../../db/knex';
import { paginate, type Page } from '../../shared/pagination';
import { FUND_SOURCES, type FundSource, type SourceAmount } from '../funds';

export type PaymentKind = 'release' | 'withheld' | 'reversal';
export type ProposalKind = PaymentKind;

export interface ProposalRow {
  id: number;
  kind: ProposalKind;
  contract_id: number;
  milestone_id: number;
  milestone_seq: number;
  street_office_id: number;
  organization_id: number;
  amount_fen: number;
  allowed_fen: number;
  sources_json: string;
  evaluation_id: number | null;
  score: number | null;
  grade: string | null;
  basis_json: string;
  reason: string | null;
  invoice_id: number | null;
  reverses_payment_id: number | null;
  status: 'proposed' | 'approved' | 'rejected';
  proposed_by: number;
  proposed_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export interface PaymentRow {
  id: number;
  kind: PaymentKind;
  proposal_id: number;
  contract_id: number;
  milestone_id: number;
  milestone_seq: number;
  street_office_id: number;
  organization_id: number;
  amount_fen: number;
  reverses_payment_id: number | null;
  proposed_by: number;
  proposed_at: string;
  approved_by: number;
  approved_at: string;
}

const INTS = [
  'id',
  'contract_id',
  'milestone_id',
  'milestone_seq',
  'street_office_id',
  'organization_id',
  'amount_fen',
  'allowed_fen',
  'proposal_id',
  'proposed_by',
  'approved_by',
];
const NULLABLE_INTS = ['evaluation_id', 'score', 'invoice_id', 'reverses_payment_id', 'decided_by'];

export function numeric<T>(r: Record<string, unknown>): T {
  const out = { ...r };
  for (const k of INTS) if (k in out && out[k] !== null) out[k] = Number(out[k]);
  for (const k of NULLABLE_INTS) if (k in out) out[k] = out[k] === null ? null : Number(out[k]);
  return out as T;
}

export const sourcesOf = (p: Pick<ProposalRow, 'sources_json'>): SourceAmount[] =>
  JSON.parse(p.sources_json) as SourceAmount[];

export async function proposalById(db: Queryable, id: number): Promise<ProposalRow | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const r = await db('payment_proposals').where({ id }).first();
  return r ? numeric<ProposalRow>(r) : undefined;
}

export async function paymentById(db: Queryable, id: number): Promise<PaymentRow | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const r = await db('payments').where({ id }).first();
  return r ? numeric<PaymentRow>(r) : undefined;
}

export async function sourcesOfPayments(
  db: Queryable,
  paymentIds: number[],
): Promise<
  Map<number, { source: FundSource; amountFen: number; ledgerEntryId: number; releaseEntryId: number | null }[]>
> {
  const out = new Map<
    number,
    { source: FundSource; amountFen: number; ledgerEntryId: number; releaseEntryId: number | null }[]
  >();
  if (!paymentIds.length) return out;
  const rows = await db('payment_sources')
    .whereIn('payment_id', paymentIds)
    .orderBy('id')
    .select('payment_id', 'source', 'amount_fen', 'ledger_entry_id', 'release_entry_id');
  for (const r of rows) {
    const list = out.get(Number(r.payment_id)) ?? [];
    list.push({
      source: r.source,
      amountFen: Number(r.amount_fen),
      ledgerEntryId: Number(r.ledger_entry_id),
      releaseEntryId: r.release_entry_id === null ? null : Number(r.release_entry_id),
    });
    out.set(Number(r.payment_id), list);
  }
  return out;
}

/** The contract's settling payment of a milestone (release or withheld), if any. */
export async function settlingPayment(db: Queryable, contractId: number, seq: number): Promise<PaymentRow | undefined> {
  const r = await db('payments')
    .where({ contract_id: contractId, milestone_seq: seq })
    .whereNot({ kind: 'reversal' })
    .first();
  return r ? numeric<PaymentRow>(r) : undefined;
}

export async function openSettlingProposal(
  db: Queryable,
  contractId: number,
  seq: number,
): Promise<ProposalRow | undefined> {
  const r = await db('payment_proposals')
    .where({ contract_id: contractId, milestone_seq: seq, status: 'proposed' })
    .whereNot({ kind: 'reversal' })
    .first();
  return r ? numeric<ProposalRow>(r) : undefined;
}

/** Released on the contract, less reversals (fen). */
export async function releasedOnContract(db: Queryable, contractId: number): Promise<number> {
  const r = await db('payments')
    .where({ contract_id: contractId })
    .first(
      db.raw(
        "CAST(COALESCE(SUM(CASE kind WHEN 'release' THEN amount_fen WHEN 'reversal' THEN -amount_fen ELSE 0 END), 0) AS BIGINT) as n",
      ),
    );
  return Number(r?.n ?? 0);
}

/** What is left of a release after its reversals (fen): those written, and those approved whose
 *  money has not come back yet (it will be reversed when it does). */
export async function reversibleOf(db: Queryable, payment: PaymentRow): Promise<number> {
  const r = await db('payments')
    .where({ reverses_payment_id: payment.id })
    .first(db.raw('CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) as n'));
  const waiting = await awaitingReturn(db)
    .where('pr.reverses_payment_id', payment.id)
    .first(db.raw('CAST(COALESCE(SUM(pr.amount_fen), 0) AS BIGINT) as n'));
  return payment.amount_fen - Number(r?.n ?? 0) - Number(waiting?.n ?? 0);
}

/** Approved corrections (追回) whose money has not come back yet: no reversal payment written. */
export function awaitingReturn(db: Queryable) {
  return db('payment_proposals as pr')
    .where({ 'pr.kind': 'reversal', 'pr.status': 'approved' })
    .whereNotExists(db('payments as rp').whereRaw('rp.proposal_id = pr.id'));
}

export interface ReturnToRecord {
  proposal_id: number;
  contract_number: string;
  organization_name: string;
  milestone_seq: number;
  amount_fen: number;
  reverses_payment_id: number;
  decided_at: string;
}

/** The street's approved corrections waiting for their money, oldest decision first. */
export async function returnsToRecord(db: Queryable, streetOfficeId: number, limit: number): Promise<ReturnToRecord[]> {
  const rows = await awaitingReturn(db)
    .join('contracts as c', 'c.id', 'pr.contract_id')
    .join('organizations as o', 'o.id', 'pr.organization_id')
    .where('pr.street_office_id', streetOfficeId)
    .orderBy([{ column: 'pr.decided_at' }, { column: 'pr.id' }])
    .limit(limit)
    .select(
      'pr.id as proposal_id',
      'c.number as contract_number',
      'o.name as organization_name',
      'pr.milestone_seq',
      'pr.amount_fen',
      'pr.reverses_payment_id',
      'pr.decided_at',
    );
  return rows.map((r: Record<string, unknown>) => numeric<ReturnToRecord>(r));
}

export interface ContractPayment {
  paymentId: number;
  kind: PaymentKind;
  milestoneSeq: number;
  amountFen: number;
  sources: SourceAmount[];
  /** UTC ISO time of the approval. */
  approvedAt: string;
  /** Beijing date (YYYY-MM-DD) the voucher says the money left (or came back); null until recorded. */
  paidOn: string | null;
  /** 'released' (in the ledger, voucher not yet recorded), 'confirmed' (voucher recorded), 'settled' (withheld: nothing paid). */
  status: 'released' | 'confirmed' | 'settled';
  reversesPaymentId: number | null;
}

/**
 * The contract's payments (releases, withheld settlements, reversals), in order of approval, with
 * per-source amounts and dates. No names or references: safe for the organization's and the
 * public's pages.
 */
export async function paymentsOfContract(db: Queryable, contractId: number): Promise<ContractPayment[]> {
  if (!Number.isSafeInteger(contractId)) return [];
  const rows = await db('payments as p')
    .leftJoin('payment_vouchers as v', 'v.payment_id', 'p.id')
    .where('p.contract_id', contractId)
    .orderBy('p.id')
    .select('p.id', 'p.kind', 'p.milestone_seq', 'p.amount_fen', 'p.approved_at', 'p.reverses_payment_id', 'v.paid_on');
  const sources = await sourcesOfPayments(
    db,
    rows.map((r: { id: number }) => Number(r.id)),
  );
  return rows.map((r: Record<string, unknown>) => ({
    paymentId: Number(r.id),
    kind: r.kind as PaymentKind,
    milestoneSeq: Number(r.milestone_seq),
    amountFen: Number(r.amount_fen),
    sources: (sources.get(Number(r.id)) ?? []).map((s) => ({ source: s.source, amountFen: s.amountFen })),
    approvedAt: String(r.approved_at),
    paidOn: (r.paid_on as string | null) ?? null,
    status: r.kind === 'withheld' ? 'settled' : r.paid_on ? 'confirmed' : 'released',
    reversesPaymentId: r.reverses_payment_id === null ? null : Number(r.reverses_payment_id),
  }));
}

const sourceColumn = (db: Queryable, s: FundSource) =>
  db.raw(
    `COALESCE((SELECT ps.amount_fen FROM payment_sources ps WHERE ps.payment_id = p.id AND ps.source = ?), 0) as ${s}_fen`,
    [s],
  );

/**
 * The payment journal (支付台账): one row per payment (release, withheld settlement, reversal) of
 * the street offices, approved in [from, to), oldest first. A knex query builder: the caller may
 * stream it (`.stream()`), page it or add conditions. Columns in README.md.
 */
export function paymentJournalQuery(
  db: Queryable,
  args: { streetOfficeIds: number[]; from?: Date | string; to?: Date | string },
): Knex.QueryBuilder {
  const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : d);
  const agg = orderedList(
    db,
    'SELECT ps.ledger_entry_id AS e FROM payment_sources ps WHERE ps.payment_id = p.id UNION ALL SELECT ps.release_entry_id FROM payment_sources ps WHERE ps.payment_id = p.id AND ps.release_entry_id IS NOT NULL',
  );
  const q = db('payments as p')
    .join('payment_proposals as pr', 'pr.id', 'p.proposal_id')
    .join('contracts as c', 'c.id', 'p.contract_id')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .join('users as up', 'up.id', 'p.proposed_by')
    .join('users as ua', 'ua.id', 'p.approved_by')
    .leftJoin('payment_vouchers as v', 'v.payment_id', 'p.id')
    .whereIn('p.street_office_id', args.streetOfficeIds.length ? args.streetOfficeIds : [-1])
    .orderBy('p.id')
    .select(
      'p.id as payment_id',
      'p.kind',
      'p.street_office_id',
      'p.contract_id',
      'c.number as contract_number',
      'o.name as organization_name',
      'p.milestone_seq',
      'pr.score',
      'pr.grade',
      'p.amount_fen',
      ...FUND_SOURCES.map((s) => sourceColumn(db, s)),
      'p.reverses_payment_id',
      'pr.reason as proposal_reason',
      'up.display_name as proposer_name',
      'ua.display_name as approver_name',
      'p.proposed_at',
      'p.approved_at',
      'v.voucher_ref',
      'v.paid_on',
      db.raw(`${agg} as ledger_entry_ids`),
    );
  if (args.from) q.where('p.approved_at', '>=', iso(args.from));
  if (args.to) q.where('p.approved_at', '<', iso(args.to));
  return q;
}

export interface ListedProposal extends ProposalRow {
  contract_number: string;
  organization_name: string;
  milestone_title: string;
  proposer_name: string;
}

const proposalList = (db: Queryable) =>
  db('payment_proposals as pr')
    .join('contracts as c', 'c.id', 'pr.contract_id')
    .join('organizations as o', 'o.id', 'pr.organization_id')
    .join('contract_milestones as m', 'm.id', 'pr.milestone_id')
    .join('users as u', 'u.id', 'pr.proposed_by');

const LISTED = [
  'pr.*',
  'c.number as contract_number',
  'o.name as organization_name',
  'm.title as milestone_title',
  'u.display_name as proposer_name',
];

/** Proposals waiting in the approver's street, oldest first; the approver's own proposals (a user
 *  whose role was changed) are listed but cannot be decided by them. */
export async function approverQueue(db: Queryable, streetOfficeId: number, limit = 100): Promise<ListedProposal[]> {
  const rows = await proposalList(db)
    .where({ 'pr.street_office_id': streetOfficeId, 'pr.status': 'proposed' })
    .orderBy([{ column: 'pr.proposed_at' }, { column: 'pr.id' }])
    .limit(limit)
    .select(LISTED);
  return rows.map((r: Record<string, unknown>) => numeric<ListedProposal>(r));
}

/** The contract's proposals, oldest first, each with the payment its approval (or, for a
 *  correction, its recorded return) wrote: `payment_id`, null while there is none. */
export async function proposalsOfContract(
  db: Queryable,
  contractId: number,
): Promise<(ListedProposal & { payment_id: number | null })[]> {
  const rows = await proposalList(db)
    .leftJoin('payments as rp', 'rp.proposal_id', 'pr.id')
    .where({ 'pr.contract_id': contractId })
    .orderBy('pr.id')
    .select([...LISTED, 'rp.id as payment_id']);
  return rows.map((r: Record<string, unknown>) => ({
    ...numeric<ListedProposal>(r),
    payment_id: r.payment_id === null || r.payment_id === undefined ? null : Number(r.payment_id),
  }));
}

export interface ListedPayment extends PaymentRow {
  contract_number: string;
  organization_name: string;
  milestone_title: string;
  voucher_ref: string | null;
  paid_on: string | null;
}

export interface PaymentFilters {
  kind?: PaymentKind;
  contractNumber?: string;
  organizationId?: number;
  from?: string;
  to?: string;
  voucher?: 'recorded' | 'missing';
}

/** The street offices' payments, newest first, filtered and paginated. */
export async function listPayments(
  db: Queryable,
  scope: { streetOfficeIds?: number[]; organizationId?: number },
  f: PaymentFilters,
  page: number,
): Promise<Page<ListedPayment>> {
  const base = db('payments as p')
    .join('contracts as c', 'c.id', 'p.contract_id')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .join('contract_milestones as m', 'm.id', 'p.milestone_id')
    .leftJoin('payment_vouchers as v', 'v.payment_id', 'p.id');
  if (scope.streetOfficeIds)
    base.whereIn('p.street_office_id', scope.streetOfficeIds.length ? scope.streetOfficeIds : [-1]);
  if (scope.organizationId !== undefined) base.where('p.organization_id', scope.organizationId);
  if (f.kind) base.where('p.kind', f.kind);
  if (f.contractNumber) base.where('c.number', f.contractNumber);
  if (f.organizationId) base.where('p.organization_id', f.organizationId);
  if (f.from) base.where('p.approved_at', '>=', f.from);
  if (f.to) base.where('p.approved_at', '<', f.to);
  if (f.voucher === 'recorded') base.whereNotNull('v.id');
  if (f.voucher === 'missing') base.whereNull('v.id').whereNot('p.kind', 'withheld');
  const result = await paginate<Record<string, unknown>>(base, page, (qb) =>
    qb
      .orderBy('p.id', 'desc')
      .select(
        'p.*',
        'c.number as contract_number',
        'o.name as organization_name',
        'm.title as milestone_title',
        'v.voucher_ref',
        'v.paid_on',
      ),
  );
  return { ...result, items: result.items.map((r) => numeric<ListedPayment>(r)) };
}

/** Ledger entries named by a payment's sources (for the payment page's trail). */
export async function ledgerEntriesOf(db: Queryable, entryIds: number[]) {
  if (!entryIds.length) return [];
  return db('fund_entries')
    .whereIn('id', entryIds)
    .orderBy('id')
    .select('id', 'kind', 'source', 'amount_fen', 'year', 'reverses_entry_id', 'created_at');
}
