import type { Knex } from 'knex';
import { forUpdate, returnedId, type Queryable } from '../../db/knex';
import { formatMoney } from '../../shared/money';
import { DomainError } from '../../web/errors';

/**
 * The fund ledger: its sources, entry kinds and balances, and the one way to write an entry. The
 * movements (reservations.ts, holdings.ts, allocations.ts) run inside the CALLER's transaction and
 * write both the ledger row
 * (fund_entries) and the balance row (fund_accounts). Balances move only through conditional
 * UPDATEs whose WHERE clause re-checks the cover, so two transactions can never spend the same
 * money: on PostgreSQL the second UPDATE waits for the first's row lock and re-evaluates its
 * WHERE against the committed row; on SQLite there is one writer at a time. The CHECK
 * constraints on fund_accounts are the last line behind that.
 */

export const FUND_SOURCES = ['fiscal', 'lottery', 'development_fund', 'donation'] as const;
export type FundSource = (typeof FUND_SOURCES)[number];
export interface SourceAmount {
  source: FundSource;
  amountFen: number;
}

export const FUND_ENTRY_KINDS = [
  'allocation',
  'reversal',
  'reservation',
  'reservation_release',
  'commitment',
  'payment',
  'commitment_increase',
  'commitment_release',
  'payment_reversal',
] as const;
export type FundEntryKind = (typeof FUND_ENTRY_KINDS)[number];

/** The source document asks for at least ¥2,000,000 per street office per year. */
export const ANNUAL_FLOOR_FEN = 200_000_000;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export function isFundSource(value: unknown): value is FundSource {
  return typeof value === 'string' && (FUND_SOURCES as readonly string[]).includes(value);
}

/** Thrown when a source cannot cover an amount; status 422; params name the source and the shortfall in fen. */
export class InsufficientFunds extends DomainError {
  constructor(
    public readonly source: FundSource,
    public readonly shortfallFen: number,
  ) {
    // `source` is the label's i18n key: the message nests it with $t({{source}}).
    super(422, 'funds.insufficient', {
      source: `funds.sources.${source}`,
      shortfall: shortfallFen,
      shortfallMoney: formatMoney(shortfallFen),
    });
  }
}

export interface Balance {
  allocatedFen: number;
  reservedFen: number;
  committedFen: number;
  paidFen: number;
  availableFen: number;
}
export interface StreetYearBalances {
  bySource: Record<FundSource, Balance>;
  total: Balance;
}

interface AccountRow {
  source: FundSource;
  allocated_fen: number;
  reserved_fen: number;
  committed_fen: number;
  paid_fen: number;
}

const zero = (): Balance => ({ allocatedFen: 0, reservedFen: 0, committedFen: 0, paidFen: 0, availableFen: 0 });

function toBalance(row: AccountRow): Balance {
  const b = {
    allocatedFen: Number(row.allocated_fen),
    reservedFen: Number(row.reserved_fen),
    committedFen: Number(row.committed_fen),
    paidFen: Number(row.paid_fen),
  };
  return { ...b, availableFen: b.allocatedFen - b.reservedFen - b.committedFen - b.paidFen };
}

/** Per-source and total balances of a street-year, for other modules' pages. */
export async function streetYearBalances(
  db: Queryable,
  streetOfficeId: number,
  year: number,
): Promise<StreetYearBalances> {
  const rows: AccountRow[] = await db('fund_accounts')
    .where({ street_office_id: streetOfficeId, year })
    .select('source', 'allocated_fen', 'reserved_fen', 'committed_fen', 'paid_fen');
  const bySource = Object.fromEntries(FUND_SOURCES.map((s) => [s, zero()])) as Record<FundSource, Balance>;
  const total = zero();
  for (const row of rows) {
    const b = toBalance(row);
    bySource[row.source] = b;
    for (const k of Object.keys(total) as (keyof Balance)[]) total[k] += b[k];
  }
  return { bySource, total };
}

/** Checks and merges amounts per source (in FUND_SOURCES order, which is also the lock order). */
export function normalize(amounts: SourceAmount[]): SourceAmount[] {
  const sums = new Map<FundSource, number>();
  for (const a of amounts) {
    if (!isFundSource(a.source)) throw new TypeError(`unknown fund source ${String(a.source)}`);
    if (!Number.isSafeInteger(a.amountFen) || a.amountFen < 0)
      throw new TypeError(`fund amounts are non-negative integer fen, got ${a.amountFen}`);
    sums.set(a.source, (sums.get(a.source) ?? 0) + a.amountFen);
  }
  return FUND_SOURCES.filter((s) => (sums.get(s) ?? 0) > 0).map((s) => ({ source: s, amountFen: sums.get(s)! }));
}

export const AVAILABLE_SQL = 'allocated_fen - reserved_fen - committed_fen - paid_fen';

export interface EntryInput {
  streetOfficeId: number;
  year: number;
  source: FundSource;
  kind: FundEntryKind;
  amountFen: number;
  callId?: number | null;
  contractId?: number | null;
  awardItemId?: number | null;
  reversesEntryId?: number | null;
  note?: string | null;
  userId: number | null;
  now: Date;
}

function entryRow(e: EntryInput) {
  return {
    street_office_id: e.streetOfficeId,
    year: e.year,
    source: e.source,
    kind: e.kind,
    amount_fen: e.amountFen,
    call_id: e.callId ?? null,
    contract_id: e.contractId ?? null,
    award_item_id: e.awardItemId ?? null,
    reverses_entry_id: e.reversesEntryId ?? null,
    note: e.note ?? null,
    created_by: e.userId,
    created_at: e.now.toISOString(),
  };
}

export async function insertEntry(trx: Knex.Transaction, e: EntryInput): Promise<number> {
  const [inserted] = await trx('fund_entries').insert(entryRow(e)).returning('id');
  return returnedId(inserted);
}

/** What is still available in one account (0 when it has never been allocated). */
export async function availableFen(
  db: Queryable,
  streetOfficeId: number,
  year: number,
  source: FundSource,
): Promise<number> {
  const row = await db('fund_accounts')
    .where({ street_office_id: streetOfficeId, year, source })
    .first(db.raw(`${AVAILABLE_SQL} as available`));
  return row ? Number(row.available) : 0;
}

export function account(trx: Knex.Transaction, streetOfficeId: number, year: number, source: FundSource) {
  return trx('fund_accounts').where({ street_office_id: streetOfficeId, year, source });
}

/** Several ledger rows in one INSERT. */
export async function insertEntries(trx: Knex.Transaction, entries: EntryInput[]): Promise<void> {
  if (!entries.length) return;
  await trx('fund_entries').insert(entries.map(entryRow));
}

/** Locks a street-year's account rows on PostgreSQL, always in id order, so that two movements of the
 *  same street-year wait for each other instead of deadlocking. SQLite has one writer. */
export async function lockStreetYear(trx: Knex.Transaction, streetOfficeId: number, year: number): Promise<void> {
  await forUpdate(
    trx,
    trx('fund_accounts').where({ street_office_id: streetOfficeId, year }).orderBy('id').select('id'),
  );
}
