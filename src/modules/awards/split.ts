import type { FundSource, SourceAmount } from '../funds/service';

/**
 * Splits an awarded total across the call's fund sources in proportion to what each source put into
 * the call, in whole fen, by the largest-remainder rule: every source gets the floor of its exact
 * share, and the fen left over go one each to the largest remainders (ties: the order given), so
 * the parts always add up to the total exactly. BigInt, because total × amount can pass 2^53.
 */
export function splitByShares(totalFen: number, shares: { source: FundSource; amountFen: number }[]): SourceAmount[] {
  const pool = shares.reduce((s, x) => s + BigInt(x.amountFen), 0n);
  if (!Number.isSafeInteger(totalFen) || totalFen < 0) throw new TypeError(`total must be non-negative integer fen, got ${totalFen}`);
  if (pool <= 0n) {
    if (totalFen === 0) return [];
    throw new TypeError('cannot split an amount across no sources');
  }
  const total = BigInt(totalFen);
  const parts = shares.map((x, i) => {
    const exact = total * BigInt(x.amountFen);
    return { i, source: x.source, fen: exact / pool, remainder: exact % pool };
  });
  let left = total - parts.reduce((s, p) => s + p.fen, 0n);
  const order = [...parts].sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const p of order) {
    if (left === 0n) break;
    p.fen += 1n;
    left -= 1n;
  }
  return parts.map((p) => ({ source: p.source, amountFen: Number(p.fen) })).filter((p) => p.amountFen > 0);
}
