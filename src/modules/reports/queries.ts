import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { dateBounds, utcBounds, yearsOf, type Period } from './period';

/**
 * The SQL of the reports. Every figure is summed or counted by the database (GROUP BY); JavaScript
 * only formats rows. Queries that can be long return a query builder, so the exports can stream it
 * (`.stream()`, on SQLite and PostgreSQL alike). Which index serves which query: README.md.
 */

const isPg = (db: Queryable) => db.client.config.client !== 'sqlite3';
const big = (expr: string) => `CAST(COALESCE(SUM(${expr}), 0) AS BIGINT)`;
const ids = (list: number[]) => (list.length ? list : [0]);

// Sign of each kind on each balance (the same rules as funds/reconcile.ts, kept here on purpose:
// the report computes the ledger side itself and compares it with the balance rows).
export function ledgerSums(a = '') {
  const k = `${a}kind`;
  const v = `${a}amount_fen`;
  return {
    allocated: big(`CASE ${k} WHEN 'allocation' THEN ${v} WHEN 'reversal' THEN -${v} ELSE 0 END`),
    reserved: big(
      `CASE ${k} WHEN 'reservation' THEN ${v} WHEN 'reservation_release' THEN -${v} WHEN 'commitment' THEN -${v} ELSE 0 END`,
    ),
    committed: big(
      `CASE ${k} WHEN 'commitment' THEN ${v} WHEN 'commitment_increase' THEN ${v} WHEN 'payment_reversal' THEN ${v} WHEN 'commitment_release' THEN -${v} WHEN 'payment' THEN -${v} ELSE 0 END`,
    ),
    paid: big(`CASE ${k} WHEN 'payment' THEN ${v} WHEN 'payment_reversal' THEN -${v} ELSE 0 END`),
  };
}
export const LEDGER_SUMS = ledgerSums();
const E = ledgerSums('e.');
const LEDGER_SELECT = Object.entries(LEDGER_SUMS)
  .map(([k, v]) => `${v} AS ${k}`)
  .join(', ');

export interface Figures {
  allocated: number;
  reserved: number;
  committed: number;
  paid: number;
}
export const FIGURES = ['allocated', 'reserved', 'committed', 'paid'] as const;
const figures = (r: Record<string, unknown>): Figures => ({
  allocated: Number(r.allocated ?? 0),
  reserved: Number(r.reserved ?? 0),
  committed: Number(r.committed ?? 0),
  paid: Number(r.paid ?? 0),
});

/** Ledger entries of the scope and period: budget year in year mode, entry time in range mode. */
function entriesOf(db: Queryable, streetIds: number[], p: Period, alias = 'fund_entries'): Knex.QueryBuilder {
  const q = db(db.raw('fund_entries AS ??', [alias])).whereIn(`${alias}.street_office_id`, ids(streetIds));
  if (p.kind === 'year') return q.where(`${alias}.year`, p.year);
  const { from, to } = utcBounds(p);
  return q.where(`${alias}.created_at`, '>=', from).where(`${alias}.created_at`, '<', to);
}

/** Per street office and source, from the ledger (fund_entries). */
export async function ledgerByStreetSource(db: Queryable, streetIds: number[], years: number[]) {
  const rows = await db('fund_entries')
    .whereIn('year', years)
    .whereIn('street_office_id', ids(streetIds))
    .groupBy('street_office_id', 'year', 'source')
    .select('street_office_id', 'year', 'source', db.raw(LEDGER_SELECT));
  return rows.map((r: Record<string, unknown>) => ({
    streetOfficeId: Number(r.street_office_id),
    year: Number(r.year),
    source: String(r.source),
    ...figures(r),
  }));
}

/** Per street office and source, from the balance rows (fund_accounts). */
export async function balancesByStreetSource(db: Queryable, streetIds: number[], years: number[]) {
  const rows = await db('fund_accounts')
    .whereIn('year', years)
    .whereIn('street_office_id', ids(streetIds))
    .select(
      'street_office_id',
      'year',
      'source',
      'allocated_fen as allocated',
      'reserved_fen as reserved',
      'committed_fen as committed',
      'paid_fen as paid',
    );
  return rows.map((r: Record<string, unknown>) => ({
    streetOfficeId: Number(r.street_office_id),
    year: Number(r.year),
    source: String(r.source),
    ...figures(r),
  }));
}

/** Per source: movements of the period from the ledger (range mode has no balance rows to compare). */
export async function ledgerBySource(db: Queryable, streetIds: number[], p: Period) {
  const rows = await entriesOf(db, streetIds, p).groupBy('source').select('source', db.raw(LEDGER_SELECT));
  return new Map<string, Figures>(rows.map((r: Record<string, unknown>) => [String(r.source), figures(r)] as const));
}

/** Reserved, committed and paid by catalogue category (through the call of each entry). */
export async function byCategory(db: Queryable, streetIds: number[], p: Period) {
  const rows = await entriesOf(db, streetIds, p, 'e')
    .join('calls as k', 'k.id', 'e.call_id')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .join('service_categories as sc', 'sc.id', 'ci.category_id')
    .groupBy('sc.id', 'sc.code', 'sc.name_zh', 'sc.name_en', 'sc.sort_order')
    .orderBy('sc.sort_order')
    .select(
      'sc.id',
      'sc.name_zh',
      'sc.name_en',
      db.raw(`${E.reserved} AS reserved, ${E.committed} AS committed, ${E.paid} AS paid`),
    );
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    nameZh: String(r.name_zh),
    nameEn: String(r.name_en),
    ...figures(r),
  }));
}

/** Committed and paid by organization (through the award item's bid; old commitments without an
 *  award item are one row "not attributed"). */
export async function byOrganization(db: Queryable, streetIds: number[], p: Period) {
  const rows = await entriesOf(db, streetIds, p, 'e')
    .whereIn('e.kind', ['commitment', 'commitment_increase', 'commitment_release', 'payment', 'payment_reversal'])
    .leftJoin('award_items as ai', 'ai.id', 'e.award_item_id')
    .leftJoin('bids as b', 'b.id', 'ai.bid_id')
    .leftJoin('organizations as o', 'o.id', 'b.organization_id')
    .groupBy('o.id', 'o.name', 'o.credit_code')
    .orderBy('o.name')
    .select('o.id', 'o.name', 'o.credit_code', db.raw(`${E.committed} AS committed, ${E.paid} AS paid`));
  return rows.map((r: Record<string, unknown>) => ({
    id: r.id === null ? null : Number(r.id),
    name: (r.name as string | null) ?? null,
    creditCode: (r.credit_code as string | null) ?? null,
    ...figures(r),
  }));
}

/** The Beijing month (YYYY-MM) of a stored UTC time, in SQL. */
function beijingMonth(db: Queryable, column: string): string {
  return isPg(db)
    ? `to_char((${column})::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')`
    : `strftime('%Y-%m', ${column}, '+8 hours')`;
}

/** Paid (payments less reversals) per Beijing month and source. */
export async function paidByMonth(
  db: Queryable,
  streetIds: number[],
  p: Period,
): Promise<{ month: string; source: string; paid: number }[]> {
  const month = beijingMonth(db, 'created_at');
  const rows = await entriesOf(db, streetIds, p)
    .whereIn('kind', ['payment', 'payment_reversal'])
    .groupByRaw(`${month}, source`)
    .select(db.raw(`${month} AS month`), 'source', db.raw(`${LEDGER_SUMS.paid} AS paid`));
  return rows.map((r: Record<string, unknown>) => ({
    month: String(r.month),
    source: String(r.source),
    paid: Number(r.paid),
  }));
}

/** Allocated per street office for the year and the year before (the floor and growth). */
export async function allocatedByStreetYear(db: Queryable, streetIds: number[], years: number[]) {
  const rows = await db('fund_accounts')
    .whereIn('year', years)
    .whereIn('street_office_id', ids(streetIds))
    .groupBy('street_office_id', 'year')
    .select('street_office_id', 'year', db.raw('CAST(SUM(allocated_fen) AS BIGINT) AS allocated'));
  return rows.map((r: Record<string, unknown>) => ({
    streetOfficeId: Number(r.street_office_id),
    year: Number(r.year),
    allocated: Number(r.allocated),
  }));
}

/**
 * The contract register: one row per contract of the scope (year mode: the contract's number year;
 * range mode: signed in the range, or drafted in it if not signed), with the version in force, paid
 * to date (payments less reversals of the contract in the ledger), milestones settled and the mean
 * closed evaluation score (hundredths, half up). A query builder: pages take a slice, exports stream it.
 */
export function registerQuery(db: Queryable, streetIds: number[], p: Period): Knex.QueryBuilder {
  const within = ids(streetIds);
  const paid = db('fund_entries')
    .whereIn('street_office_id', within)
    .whereIn('kind', ['payment', 'payment_reversal'])
    .whereNotNull('contract_id')
    .groupBy('contract_id')
    .select(
      'contract_id',
      db.raw(`${LEDGER_SUMS.paid} AS paid`),
      db.raw(`${big("CASE kind WHEN 'payment_reversal' THEN amount_fen ELSE 0 END")} AS reclaimed`),
    )
    .as('p');
  const settled = db('contract_milestones as cm')
    .join('contracts as c2', 'c2.id', 'cm.contract_id')
    .whereIn('c2.street_office_id', within)
    .groupBy('cm.contract_id')
    .select(
      'cm.contract_id',
      db.raw('COUNT(*) AS milestones'),
      db.raw('SUM(CASE WHEN cm.settlement IS NULL THEN 0 ELSE 1 END) AS settled'),
      db.raw(`${big('CASE WHEN cm.settlement IS NULL THEN 0 ELSE cm.amount_fen END')} AS settled_share`),
    )
    .as('m');
  const scores = db('milestone_evaluations')
    .whereIn('street_office_id', within)
    .where('status', 'closed')
    .groupBy('contract_id')
    .select('contract_id', db.raw('COUNT(*) AS evaluations'), db.raw('CAST(SUM(total_score) AS BIGINT) AS score_sum'))
    .as('ev');
  const q = db('contracts as c')
    .join('street_offices as s', 's.id', 'c.street_office_id')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .join('calls as k', 'k.id', 'c.call_id')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .join('service_categories as sc', 'sc.id', 'ci.category_id')
    .join('contract_versions as v', function () {
      this.on('v.contract_id', 'c.id').andOnIn('v.status', ['draft', 'current']);
    })
    .leftJoin(paid, 'p.contract_id', 'c.id')
    .leftJoin(settled, 'm.contract_id', 'c.id')
    .leftJoin(scores, 'ev.contract_id', 'c.id')
    .whereIn('c.street_office_id', within);
  if (p.kind === 'year') q.where('c.year', p.year);
  else {
    const { from, to } = dateBounds(p);
    q.whereRaw('COALESCE(c.signing_date, substr(c.created_at, 1, 10)) BETWEEN ? AND ?', [from, to]);
  }
  return q;
}

/*
 * What is still payable on a contract (README "Remaining payable"). Released gross = paid + reclaimed
 * (the ledger's payment entries). Not payable any more: what the settled milestones did not release
 * (their shares − released gross: withheld and pro-rata shortfalls; a release settles its milestone,
 * one per milestone) and, on a terminated contract, everything else not settled (amount − settled
 * shares). Remaining = amount − paid − reclaimed − not payable, so the four add up to the amount.
 */
const RELEASED = '(COALESCE(p.paid, 0) + COALESCE(p.reclaimed, 0))';
const NOT_PAYABLE = `(COALESCE(m.settled_share, 0) - ${RELEASED} + CASE WHEN c.status = 'terminated' THEN v.amount_fen - COALESCE(m.settled_share, 0) ELSE 0 END)`;
const REMAINING = `(v.amount_fen - ${RELEASED} - ${NOT_PAYABLE})`;

export const registerColumns = (db: Queryable) => [
  'c.id',
  'c.number',
  'c.title',
  'c.status',
  'c.signing_date',
  's.name as street_name',
  'o.name as organization_name',
  'o.credit_code',
  'sc.name_zh as category_zh',
  'sc.name_en as category_en',
  'k.title as call_title',
  'k.method',
  'k.funding_mode',
  'v.amount_fen',
  db.raw('COALESCE(p.paid, 0) AS paid_fen'),
  db.raw('v.amount_fen - COALESCE(p.paid, 0) AS outstanding_fen'),
  db.raw('COALESCE(p.reclaimed, 0) AS reclaimed_fen'),
  db.raw(`${NOT_PAYABLE} AS not_payable_fen`),
  db.raw(`${REMAINING} AS remaining_fen`),
  db.raw('COALESCE(m.milestones, 0) AS milestones'),
  db.raw('COALESCE(m.settled, 0) AS settled'),
  db.raw(
    'CASE WHEN ev.evaluations > 0 THEN CAST((2 * ev.score_sum + ev.evaluations) / (2 * ev.evaluations) AS INTEGER) END AS mean_score',
  ),
];

export const registerRows = (db: Queryable, streetIds: number[], p: Period) =>
  registerQuery(db, streetIds, p)
    .select(registerColumns(db))
    .orderBy([{ column: 'c.street_office_id' }, { column: 'c.year' }, { column: 'c.seq' }]);

export async function registerTotals(db: Queryable, streetIds: number[], p: Period) {
  const inner = registerQuery(db, streetIds, p)
    .select(
      'v.amount_fen',
      db.raw('COALESCE(p.paid, 0) AS paid_fen'),
      db.raw('COALESCE(p.reclaimed, 0) AS reclaimed_fen'),
      db.raw(`${NOT_PAYABLE} AS not_payable_fen`),
      db.raw(`${REMAINING} AS remaining_fen`),
    )
    .as('r');
  const row = await db
    .from(inner)
    .first(
      db.raw('COUNT(*) AS n'),
      db.raw(`${big('amount_fen')} AS amount`),
      db.raw(`${big('paid_fen')} AS paid`),
      db.raw(`${big('reclaimed_fen')} AS reclaimed`),
      db.raw(`${big('not_payable_fen')} AS not_payable`),
      db.raw(`${big('remaining_fen')} AS remaining`),
    );
  const n = (k: string) => Number((row as Record<string, unknown> | undefined)?.[k] ?? 0);
  return {
    count: n('n'),
    amountFen: n('amount'),
    paidFen: n('paid'),
    outstandingFen: n('amount') - n('paid'),
    reclaimedFen: n('reclaimed'),
    notPayableFen: n('not_payable'),
    remainingFen: n('remaining'),
  };
}

export { yearsOf };
