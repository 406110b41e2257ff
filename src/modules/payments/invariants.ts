import type { Queryable } from '../../db/knex';

const rows = (result: unknown): Record<string, unknown>[] =>
  Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows;

/**
 * The payments' own invariants over the whole database, each one query (for funds:reconcile, the
 * auditors' reports and the tests): a payment's sources add up to its amount and name ledger entries
 * of the same amount; a milestone's releases stay within its share and a contract's within its
 * amount in force; a release's corrections (追回: reversals written, and approved ones waiting for
 * their money) stay within it; a settled milestone has its settling payment and the other way round. Returns a
 * sentence per problem; [] when all hold.
 */
export async function paymentInvariants(db: Queryable): Promise<string[]> {
  const out: string[] = [];
  const sums = rows(
    await db.raw(`SELECT p.id, p.amount_fen, COALESCE(SUM(s.amount_fen), 0) AS sources, COALESCE(SUM(e.amount_fen), 0) AS ledger
      FROM payments p LEFT JOIN payment_sources s ON s.payment_id = p.id LEFT JOIN fund_entries e ON e.id = s.ledger_entry_id
      GROUP BY p.id, p.amount_fen HAVING COALESCE(SUM(s.amount_fen), 0) <> p.amount_fen OR COALESCE(SUM(e.amount_fen), 0) <> p.amount_fen`),
  );
  for (const r of sums) out.push(`${r.id}: amount ${r.amount_fen} but sources ${r.sources} and ledger ${r.ledger}`);
  const contracts = rows(
    await db.raw(`SELECT p.contract_id, SUM(CASE p.kind WHEN 'release' THEN p.amount_fen WHEN 'reversal' THEN -p.amount_fen ELSE 0 END) AS released, MAX(v.amount_fen) AS amount
      FROM payments p JOIN contract_versions v ON v.contract_id = p.contract_id AND v.status = 'current'
      GROUP BY p.contract_id HAVING SUM(CASE p.kind WHEN 'release' THEN p.amount_fen WHEN 'reversal' THEN -p.amount_fen ELSE 0 END) > MAX(v.amount_fen)`),
  );
  for (const r of contracts) out.push(`contract ${r.contract_id}: released ${r.released} above its amount ${r.amount}`);
  const shares = rows(
    await db.raw(`SELECT p.milestone_id, SUM(p.amount_fen) AS released, MAX(m.amount_fen) AS share FROM payments p JOIN contract_milestones m ON m.id = p.milestone_id
      WHERE p.kind = 'release' GROUP BY p.milestone_id HAVING SUM(p.amount_fen) > MAX(m.amount_fen) OR COUNT(*) > 1`),
  );
  for (const r of shares)
    out.push(`milestone ${r.milestone_id}: released ${r.released} above its share ${r.share} (or twice)`);
  // Grouped once per table and compared in SQL: a correlated sum per release, without an index on
  // reverses_payment_id, was a scan of all payments for each of the full benchmark set's 380,000
  // releases (the bench's ledger proof never finished).
  const corrections = rows(
    await db.raw(`SELECT r.id, r.amount_fen, COALESCE(x.total, 0) + COALESCE(q.total, 0) AS corrected
      FROM payments r
      LEFT JOIN (SELECT reverses_payment_id AS id, SUM(amount_fen) AS total FROM payments
                 WHERE kind = 'reversal' GROUP BY reverses_payment_id) x ON x.id = r.id
      LEFT JOIN (SELECT q.reverses_payment_id AS id, SUM(q.amount_fen) AS total FROM payment_proposals q
                 WHERE q.kind = 'reversal' AND q.status = 'approved'
                   AND NOT EXISTS (SELECT 1 FROM payments y WHERE y.proposal_id = q.id)
                 GROUP BY q.reverses_payment_id) q ON q.id = r.id
      WHERE r.kind = 'release' AND COALESCE(x.total, 0) + COALESCE(q.total, 0) > r.amount_fen`),
  );
  for (const r of corrections)
    out.push(`payment ${r.id}: corrections ${r.corrected} above the release ${r.amount_fen}`);
  const settled = rows(
    await db.raw(`SELECT m.id, m.settlement, p.id AS payment_id FROM contract_milestones m LEFT JOIN payments p ON p.contract_id = m.contract_id AND p.milestone_seq = m.seq AND p.kind <> 'reversal'
      WHERE (m.settlement IS NULL) <> (p.id IS NULL)`),
  );
  for (const r of settled)
    out.push(`milestone ${r.id}: settlement ${r.settlement ?? 'none'} but settling payment ${r.payment_id ?? 'none'}`);
  return out;
}
