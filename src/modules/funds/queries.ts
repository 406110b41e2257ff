import { shanghaiMonthNumber, type Queryable } from '../../db/knex';
import { growthBasisPoints } from '../../shared/money';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';
import { ANNUAL_FLOOR_FEN, type FundSource } from './ledger';

// Written so the same SQL runs on SQLite and PostgreSQL: SUM is cast to BIGINT (PostgreSQL would
// return numeric and divide with decimals), so growth in basis points is integer division on both.
const GROWTH_BP = 'CASE WHEN prev_allocated > 0 THEN ((allocated - prev_allocated) * 10000) / prev_allocated END';

export interface FundRow {
  allocated: number;
  reserved: number;
  committed: number;
  paid: number;
  available: number;
  prev_allocated: number;
  growth: number;
  /** Growth against the previous year in hundredths of a percent (1234 = 12.34%); null when the previous year had nothing. */
  growth_bp: number | null;
}

function numeric<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const k of [
    'allocated',
    'reserved',
    'committed',
    'paid',
    'available',
    'prev_allocated',
    'growth',
    'street_office_id',
    'year',
  ]) {
    if (out[k] !== undefined && out[k] !== null) out[k] = Number(out[k]);
  }
  // Growth in basis points is computed here from the two allocations, not in SQL: one rounding rule
  // (half away from zero, src/shared/money.ts) on both databases.
  if (out.growth_bp !== undefined)
    out.growth_bp = growthBasisPoints(
      Number(out.allocated),
      out.prev_allocated === null || out.prev_allocated === undefined ? null : Number(out.prev_allocated),
    );
  return out as T;
}

/** Balances of a street-year per source plus a 'total' row, each with the previous year's allocation and growth. */
export async function streetYearSummary(
  db: Queryable,
  streetOfficeId: number,
  year: number,
): Promise<(FundRow & { source: FundSource | 'total' })[]> {
  const sum = (col: string, y: string) => `CAST(SUM(CASE WHEN year = ${y} THEN ${col} ELSE 0 END) AS BIGINT)`;
  const result = await db.raw(
    `WITH a AS (
       SELECT source, ${sum('allocated_fen', ':year')} AS allocated, ${sum('reserved_fen', ':year')} AS reserved,
              ${sum('committed_fen', ':year')} AS committed, ${sum('paid_fen', ':year')} AS paid,
              ${sum('allocated_fen', ':prev')} AS prev_allocated
       FROM fund_accounts WHERE street_office_id = :street AND year IN (:year, :prev) GROUP BY source
     ), t AS (
       SELECT source, allocated, reserved, committed, paid, prev_allocated FROM a
       UNION ALL
       SELECT 'total', CAST(COALESCE(SUM(allocated), 0) AS BIGINT), CAST(COALESCE(SUM(reserved), 0) AS BIGINT),
              CAST(COALESCE(SUM(committed), 0) AS BIGINT), CAST(COALESCE(SUM(paid), 0) AS BIGINT),
              CAST(COALESCE(SUM(prev_allocated), 0) AS BIGINT) FROM a
     )
     SELECT source, allocated, reserved, committed, paid, prev_allocated,
            allocated - reserved - committed - paid AS available, allocated - prev_allocated AS growth, ${GROWTH_BP} AS growth_bp
     FROM t`,
    { street: streetOfficeId, year, prev: year - 1 },
  );
  const rows: (FundRow & { source: FundSource | 'total' })[] = (Array.isArray(result) ? result : result.rows).map(
    numeric,
  );
  return rows;
}

export interface OverviewRow extends FundRow {
  street_office_id: number;
  street_name: string;
  district: string;
  year: number;
  below_floor: boolean;
}

export interface OverviewFilter {
  /** null: every street office (the administrator). */
  streetIds: number[] | null;
  /** Always listed even before anything is allocated in it, so a street with nothing shows up. */
  currentYear: number;
  year?: number | null;
  belowOnly?: boolean;
}

/** Street offices × years with totals, the floor flag and growth; paginated in SQL. */
export async function overview(
  db: Queryable,
  filter: OverviewFilter,
  page: number,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<Page<OverviewRow>> {
  if (filter.streetIds && filter.streetIds.length === 0) return makePage([], 0, page, pageSize);
  const ids = filter.streetIds ?? [];
  const inList = ids.map(() => '?').join(', ');
  const scope = (col: string) => (filter.streetIds ? `${col} IN (${inList})` : '1 = 1');
  const yearClause = filter.year ? 'y.year = ?' : '1 = 1';
  const belowClause = filter.belowOnly ? `COALESCE(c.allocated, 0) < ${ANNUAL_FLOOR_FEN}` : '1 = 1';
  const bindings = [...ids, filter.currentYear, ...ids, ...ids, ...(filter.year ? [filter.year] : [])];
  const base = `
    WITH years AS (
      SELECT DISTINCT year FROM fund_accounts WHERE ${scope('street_office_id')}
      UNION SELECT CAST(? AS INTEGER)
    ), totals AS (
      SELECT street_office_id, year, CAST(SUM(allocated_fen) AS BIGINT) AS allocated, CAST(SUM(reserved_fen) AS BIGINT) AS reserved,
             CAST(SUM(committed_fen) AS BIGINT) AS committed, CAST(SUM(paid_fen) AS BIGINT) AS paid
      FROM fund_accounts WHERE ${scope('street_office_id')} GROUP BY street_office_id, year
    ), grid AS (
      SELECT s.id AS street_office_id, s.name AS street_name, s.district, y.year,
             COALESCE(c.allocated, 0) AS allocated, COALESCE(c.reserved, 0) AS reserved,
             COALESCE(c.committed, 0) AS committed, COALESCE(c.paid, 0) AS paid, COALESCE(p.allocated, 0) AS prev_allocated
      FROM street_offices s CROSS JOIN years y
      LEFT JOIN totals c ON c.street_office_id = s.id AND c.year = y.year
      LEFT JOIN totals p ON p.street_office_id = s.id AND p.year = y.year - 1
      WHERE ${scope('s.id')} AND ${yearClause} AND ${belowClause}
    )`;
  const [countResult, rowsResult] = await Promise.all([
    db.raw(`${base} SELECT COUNT(*) AS n FROM grid`, bindings),
    db.raw(
      `${base} SELECT grid.*, allocated - reserved - committed - paid AS available, allocated - prev_allocated AS growth, ${GROWTH_BP} AS growth_bp
       FROM grid ORDER BY year DESC, district, street_name, street_office_id LIMIT ? OFFSET ?`,
      [...bindings, pageSize, (page - 1) * pageSize],
    ),
  ]);
  const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows);
  const total = Number((rowsOf(countResult)[0] as { n: number | string }).n);
  const items = (rowsOf(rowsResult) as OverviewRow[]).map((r) => {
    const row = numeric(r);
    return { ...row, below_floor: row.allocated < ANNUAL_FLOOR_FEN };
  });
  return makePage(items, total, page, pageSize);
}

export interface LedgerRow {
  id: number;
  source: FundSource;
  kind: string;
  amount_fen: number;
  call_id: number | null;
  /** The call's title, so the ledger names it (linked) rather than "公告 #8". */
  call_title: string | null;
  contract_id: number | null;
  /** The contract's number (DS-2026-0001), so the ledger names it rather than "合同 #1". */
  contract_number: string | null;
  award_item_id: number | null;
  /** The award an award item belongs to and its organization's name, for "中标项目：<organization>", linked. */
  award_id: number | null;
  award_organization_name: string | null;
  reverses_entry_id: number | null;
  reversed_by_id: number | null;
  note: string | null;
  created_at: string;
  created_by_name: string | null;
}

/** The ledger of a street-year, newest first, with the names of what each entry concerns (joined in the same
 *  query: plain left joins on primary keys, the same on SQLite and PostgreSQL). */
export async function ledger(
  db: Queryable,
  streetOfficeId: number,
  year: number,
  page: number,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<Page<LedgerRow>> {
  const where = { 'e.street_office_id': streetOfficeId, 'e.year': year };
  const [count, rows] = await Promise.all([
    db('fund_entries as e').where(where).count({ n: '*' }).first(),
    db('fund_entries as e')
      .leftJoin('users as u', 'u.id', 'e.created_by')
      .leftJoin('fund_entries as r', 'r.reverses_entry_id', 'e.id')
      .leftJoin('calls as c', 'c.id', 'e.call_id')
      .leftJoin('contracts as k', 'k.id', 'e.contract_id')
      .leftJoin('award_items as ai', 'ai.id', 'e.award_item_id')
      .leftJoin('bids as b', 'b.id', 'ai.bid_id')
      .leftJoin('organizations as o', 'o.id', 'b.organization_id')
      .where(where)
      .orderBy('e.id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .select(
        'e.id',
        'e.source',
        'e.kind',
        'e.amount_fen',
        'e.call_id',
        'c.title as call_title',
        'e.contract_id',
        'k.number as contract_number',
        'e.award_item_id',
        'ai.award_id',
        'o.name as award_organization_name',
        'e.reverses_entry_id',
        'r.id as reversed_by_id',
        'e.note',
        'e.created_at',
        'u.display_name as created_by_name',
      ),
  ]);
  const items = rows.map((r: LedgerRow) => ({
    ...r,
    id: Number(r.id),
    amount_fen: Number(r.amount_fen),
    award_id: r.award_id === null ? null : Number(r.award_id),
  }));
  return makePage(items, Number(count?.n ?? 0), page, pageSize);
}

export interface EntryWithStreet {
  id: number;
  street_office_id: number;
  street_name: string;
  year: number;
  source: FundSource;
  kind: string;
  amount_fen: number;
  note: string | null;
  created_at: string;
  reversed_by_id: number | null;
}

export async function findEntry(db: Queryable, id: number): Promise<EntryWithStreet | undefined> {
  const row = await db('fund_entries as e')
    .join('street_offices as s', 's.id', 'e.street_office_id')
    .leftJoin('fund_entries as r', 'r.reverses_entry_id', 'e.id')
    .where('e.id', id)
    .first(
      'e.id',
      'e.street_office_id',
      's.name as street_name',
      'e.year',
      'e.source',
      'e.kind',
      'e.amount_fen',
      'e.note',
      'e.created_at',
      'r.id as reversed_by_id',
    );
  return row ? { ...row, amount_fen: Number(row.amount_fen), year: Number(row.year) } : undefined;
}

/** A street office's total allocation and what is available, for the manager's dashboard. */
export async function floorStatus(db: Queryable, streetOfficeId: number, year: number) {
  const row = await db('fund_accounts')
    .where({ street_office_id: streetOfficeId, year })
    .first(
      db.raw('CAST(COALESCE(SUM(allocated_fen), 0) AS BIGINT) as allocated'),
      db.raw('CAST(COALESCE(SUM(allocated_fen - reserved_fen - committed_fen - paid_fen), 0) AS BIGINT) as available'),
    );
  const allocatedFen = Number(row?.allocated ?? 0);
  return { year, allocatedFen, availableFen: Number(row?.available ?? 0), belowFloor: allocatedFen < ANNUAL_FLOOR_FEN };
}

export interface PaymentLedgerRow {
  id: number;
  kind: 'payment' | 'payment_reversal';
  source: FundSource;
  /** Positive for a payment, negative for a reversal: the sum over rows is what is paid. */
  signed_fen: number;
  contract_id: number | null;
  award_item_id: number | null;
  created_at: string;
}

/** Payments less reversals, in SQL (BIGINT on both databases). */
const SIGNED_PAID = "CAST(SUM(CASE WHEN kind = 'payment' THEN amount_fen ELSE -amount_fen END) AS BIGINT)";

/** The payment entries of a street-year (kind, street, year: the covering index
 *  fund_entries_street_year_paid_idx answers from the index alone). */
const paymentEntriesOf = (db: Queryable, streetOfficeId: number, year: number) =>
  db('fund_entries')
    .where('street_office_id', streetOfficeId)
    .where('year', year)
    .whereIn('kind', ['payment', 'payment_reversal']);

/** Paid (payments less reversals) per Beijing month of the payment in a street-year, grouped in the
 *  database: twelve figures, index 0 = January, a reversal subtracted in its own month. */
export async function paidByMonthOfStreetYear(db: Queryable, streetOfficeId: number, year: number): Promise<number[]> {
  const month = shanghaiMonthNumber(db, 'created_at');
  const rows = await paymentEntriesOf(db, streetOfficeId, year)
    .groupByRaw(month)
    .select(db.raw(`${month} AS month`), db.raw(`${SIGNED_PAID} AS paid`));
  const out = Array.from({ length: 12 }, () => 0);
  for (const r of rows as { month: number | string; paid: number | string }[])
    out[Number(r.month) - 1] = Number(r.paid);
  return out;
}

/** Paid per contract of a street-year (contract_id, paid_fen; a null contract_id for entries naming
 *  none), as a query to group further in SQL (the public page's paid per category). */
export function paidByContractOfStreetYear(db: Queryable, streetOfficeId: number, year: number) {
  return paymentEntriesOf(db, streetOfficeId, year)
    .groupBy('contract_id')
    .select('contract_id', db.raw(`${SIGNED_PAID} AS paid_fen`));
}

/** The payments and reversals naming these contracts (for the public contract page and the registry), oldest first. */
export async function paymentLedgerOfContracts(
  db: Queryable,
  contractIds: number[],
): Promise<(PaymentLedgerRow & { street_office_id: number; year: number })[]> {
  if (!contractIds.length) return [];
  const rows = await db('fund_entries')
    .whereIn('contract_id', contractIds)
    .whereIn('kind', ['payment', 'payment_reversal'])
    .orderBy('id')
    .select(
      'id',
      'kind',
      'source',
      'amount_fen',
      'contract_id',
      'award_item_id',
      'created_at',
      'street_office_id',
      'year',
    );
  return rows.map(
    (r: {
      id: number;
      kind: 'payment' | 'payment_reversal';
      source: FundSource;
      amount_fen: number;
      contract_id: number;
      award_item_id: number | null;
      created_at: string;
      street_office_id: number;
      year: number;
    }) => ({
      id: Number(r.id),
      kind: r.kind,
      source: r.source,
      signed_fen: r.kind === 'payment' ? Number(r.amount_fen) : -Number(r.amount_fen),
      contract_id: Number(r.contract_id),
      award_item_id: r.award_item_id === null ? null : Number(r.award_item_id),
      created_at: r.created_at,
      street_office_id: Number(r.street_office_id),
      year: Number(r.year),
    }),
  );
}

/** Every street-year that has a fund account (for the bulk open-data packages and their validation). */
export async function fundedStreetYears(db: Queryable): Promise<{ street_office_id: number; year: number }[]> {
  const rows = await db('fund_accounts').distinct('street_office_id', 'year').orderBy(['street_office_id', 'year']);
  return rows.map((r: { street_office_id: number; year: number }) => ({
    street_office_id: Number(r.street_office_id),
    year: Number(r.year),
  }));
}

/** The district's totals for a year across every street office (the public front page). */
export async function districtYearTotals(
  db: Queryable,
  year: number,
): Promise<Omit<FundRow, 'prev_allocated' | 'growth' | 'growth_bp'>> {
  const row = await db('fund_accounts')
    .where({ year })
    .first(
      db.raw('CAST(COALESCE(SUM(allocated_fen), 0) AS BIGINT) as allocated'),
      db.raw('CAST(COALESCE(SUM(reserved_fen), 0) AS BIGINT) as reserved'),
      db.raw('CAST(COALESCE(SUM(committed_fen), 0) AS BIGINT) as committed'),
      db.raw('CAST(COALESCE(SUM(paid_fen), 0) AS BIGINT) as paid'),
    );
  const n = (v: unknown) => Number(v ?? 0);
  const allocated = n(row?.allocated);
  const reserved = n(row?.reserved);
  const committed = n(row?.committed);
  const paid = n(row?.paid);
  return { allocated, reserved, committed, paid, available: allocated - reserved - committed - paid };
}
