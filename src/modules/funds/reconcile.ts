import type { Queryable } from '../../db/knex';
import type { FundSource } from './ledger';

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
        : {
            allocatedFen: Number(r.allocated_fen),
            reservedFen: Number(r.reserved_fen),
            committedFen: Number(r.committed_fen),
            paidFen: Number(r.paid_fen),
          },
    ledger: {
      allocatedFen: Number(r.l_allocated),
      reservedFen: Number(r.l_reserved),
      committedFen: Number(r.l_committed),
      paidFen: Number(r.l_paid),
    },
  }));
}

const ITEM_COMMITTED = SUM(
  "WHEN 'commitment' THEN amount_fen WHEN 'commitment_increase' THEN amount_fen WHEN 'payment_reversal' THEN amount_fen WHEN 'commitment_release' THEN -amount_fen WHEN 'payment' THEN -amount_fen",
);
const ITEM_PAID = SUM("WHEN 'payment' THEN amount_fen WHEN 'payment_reversal' THEN -amount_fen");

/**
 * The same check one level down: no award item may hold a negative payment, nor a negative
 * commitment, in a source (what releases, payments and reversals could get wrong). Items of an award
 * confirmed before award_item_id existed also own a share of their call's old per-call commitment
 * (see holdings.ts), so their commitment is not checked here, only their payments. One query; [] when none.
 */
export async function negativeHoldings(
  db: Queryable,
): Promise<{ awardItemId: number; source: FundSource; committedFen: number; paidFen: number }[]> {
  const result = await db.raw(
    `SELECT award_item_id, source, committed, paid FROM (
       SELECT e.award_item_id, e.source, ${ITEM_COMMITTED} AS committed, ${ITEM_PAID} AS paid,
         MAX(CASE WHEN l.call_id IS NULL THEN 0 ELSE 1 END) AS legacy
       FROM fund_entries e
       LEFT JOIN (SELECT DISTINCT call_id FROM fund_entries WHERE kind = 'commitment' AND award_item_id IS NULL AND call_id IS NOT NULL) l ON l.call_id = e.call_id
       WHERE e.award_item_id IS NOT NULL
       GROUP BY e.award_item_id, e.source
     ) h
     WHERE paid < 0 OR (committed < 0 AND legacy = 0)
     ORDER BY award_item_id, source`,
  );
  const rows: Record<string, unknown>[] = Array.isArray(result) ? result : result.rows;
  return rows.map((r) => ({
    awardItemId: Number(r.award_item_id),
    source: r.source as FundSource,
    committedFen: Number(r.committed),
    paidFen: Number(r.paid),
  }));
}
