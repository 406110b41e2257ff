import type { Queryable } from '../../db/knex';
import type { FundSource } from './service';

/**
 * The funds reconciliation: every balance row (fund_accounts) must equal what its ledger entries add
 * up to, kind by kind:
 *
 *   allocated = allocation − reversal
 *   reserved  = reservation − reservation_release − commitment
 *   committed = commitment + commitment_increase + payment_reversal − commitment_release − payment
 *   paid      = payment − payment_reversal
 *
 * One SQL query over the whole ledger (or one street office's), not a loop. Returns the rows that
 * differ, including a ledger street-year-source with no balance row and a balance row with no
 * entries but non-zero amounts; [] when everything adds up.
 */
export interface ReconcileDifference {
  streetOfficeId: number;
  year: number;
  source: FundSource;
  account: { allocatedFen: number; reservedFen: number; committedFen: number; paidFen: number } | null;
  ledger: { allocatedFen: number; reservedFen: number; committedFen: number; paidFen: number };
}

const SUM = (cases: string) => `CAST(COALESCE(SUM(CASE kind ${cases} ELSE 0 END), 0) AS BIGINT)`;

export async function reconcile(db: Queryable, streetOfficeId?: number): Promise<ReconcileDifference[]> {
  const only = streetOfficeId === undefined ? '' : 'WHERE street_office_id = ?';
  const bindings = streetOfficeId === undefined ? [] : [streetOfficeId, streetOfficeId];
  const result = await db.raw(
    `WITH ledger AS (
       SELECT street_office_id, year, source,
         ${SUM("WHEN 'allocation' THEN amount_fen WHEN 'reversal' THEN -amount_fen")} AS allocated,
         ${SUM("WHEN 'reservation' THEN amount_fen WHEN 'reservation_release' THEN -amount_fen WHEN 'commitment' THEN -amount_fen")} AS reserved,
         ${SUM(
           "WHEN 'commitment' THEN amount_fen WHEN 'commitment_increase' THEN amount_fen WHEN 'payment_reversal' THEN amount_fen WHEN 'commitment_release' THEN -amount_fen WHEN 'payment' THEN -amount_fen",
         )} AS committed,
         ${SUM("WHEN 'payment' THEN amount_fen WHEN 'payment_reversal' THEN -amount_fen")} AS paid
       FROM fund_entries ${only}
       GROUP BY street_office_id, year, source
     ),
     accounts AS (
       SELECT street_office_id, year, source, allocated_fen, reserved_fen, committed_fen, paid_fen FROM fund_accounts ${only}
     ),
     keys AS (
       SELECT street_office_id, year, source FROM ledger UNION SELECT street_office_id, year, source FROM accounts
     )
     SELECT k.street_office_id, k.year, k.source,
       a.street_office_id AS has_account, a.allocated_fen, a.reserved_fen, a.committed_fen, a.paid_fen,
       COALESCE(l.allocated, 0) AS l_allocated, COALESCE(l.reserved, 0) AS l_reserved,
       COALESCE(l.committed, 0) AS l_committed, COALESCE(l.paid, 0) AS l_paid
     FROM keys k
     LEFT JOIN accounts a ON a.street_office_id = k.street_office_id AND a.year = k.year AND a.source = k.source
     LEFT JOIN ledger l ON l.street_office_id = k.street_office_id AND l.year = k.year AND l.source = k.source
     WHERE a.street_office_id IS NULL
        OR a.allocated_fen <> COALESCE(l.allocated, 0) OR a.reserved_fen <> COALESCE(l.reserved, 0)
        OR a.committed_fen <> COALESCE(l.committed, 0) OR a.paid_fen <> COALESCE(l.paid, 0)
     ORDER BY k.street_office_id, k.year, k.source`,
    bindings,
  );
  const rows: Record<string, unknown>[] = Array.isArray(result) ? result : result.rows;
  return rows.map((r) => ({
    streetOfficeId: Number(r.street_office_id),
    year: Number(r.year),
    source: r.source as FundSource,
    account:
      r.has_account === null || r.has_account === undefined
        ? null
        : { allocatedFen: Number(r.allocated_fen), reservedFen: Number(r.reserved_fen), committedFen: Number(r.committed_fen), paidFen: Number(r.paid_fen) },
    ledger: { allocatedFen: Number(r.l_allocated), reservedFen: Number(r.l_reserved), committedFen: Number(r.l_committed), paidFen: Number(r.l_paid) },
  }));
}

/**
 * The same check one level down: no award item may hold a negative commitment or payment in a
 * source (what releases, payments and reversals could get wrong). One query; [] when none.
 */
export async function negativeHoldings(db: Queryable): Promise<{ awardItemId: number; source: FundSource; committedFen: number; paidFen: number }[]> {
  const rows = await db('fund_entries')
    .whereNotNull('award_item_id')
    .groupBy('award_item_id', 'source')
    .havingRaw(
      `${SUM("WHEN 'commitment' THEN amount_fen WHEN 'commitment_increase' THEN amount_fen WHEN 'payment_reversal' THEN amount_fen WHEN 'commitment_release' THEN -amount_fen WHEN 'payment' THEN -amount_fen")} < 0
       OR ${SUM("WHEN 'payment' THEN amount_fen WHEN 'payment_reversal' THEN -amount_fen")} < 0`,
    )
    .select(
      'award_item_id',
      'source',
      db.raw(
        `${SUM("WHEN 'commitment' THEN amount_fen WHEN 'commitment_increase' THEN amount_fen WHEN 'payment_reversal' THEN amount_fen WHEN 'commitment_release' THEN -amount_fen WHEN 'payment' THEN -amount_fen")} as committed`,
      ),
      db.raw(`${SUM("WHEN 'payment' THEN amount_fen WHEN 'payment_reversal' THEN -amount_fen")} as paid`),
    );
  return rows.map((r: Record<string, unknown>) => ({ awardItemId: Number(r.award_item_id), source: r.source as FundSource, committedFen: Number(r.committed), paidFen: Number(r.paid) }));
}
