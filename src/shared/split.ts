/**
 * Splitting money in whole fen so that the parts always add up exactly: the one place every module
 * (awards, funds, contracts, payments) takes its largest-remainder splits from. All arithmetic is
 * BigInt, because amount × weight can pass 2^53 long before either does.
 */

function checkFen(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`${what} must be non-negative integer fen, got ${value}`);
}

/**
 * Splits `totalFen` in proportion to `weights` (any non-negative integers: fen, basis points, counts)
 * by the largest-remainder rule: every part gets the floor of its exact share, and the fen left over
 * go one each to the largest remainders (ties: the earlier index). The parts add up to the total; a
 * part is the floor or the ceiling of its exact share, so it never exceeds a weight that is itself
 * at least the total's share (in particular a part is never more than its weight when total ≤ Σ weights).
 * Throws when the weights are all zero and the total is not.
 */
export function splitByWeights(totalFen: number, weights: number[]): number[] {
  checkFen(totalFen, 'total');
  weights.forEach((w) => checkFen(w, 'a weight'));
  const pool = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (pool === 0n) {
    if (totalFen === 0) return weights.map(() => 0);
    throw new TypeError('cannot split an amount across no weights');
  }
  const total = BigInt(totalFen);
  const parts = weights.map((w, i) => {
    const exact = total * BigInt(w);
    return { i, fen: exact / pool, remainder: exact % pool };
  });
  let left = total - parts.reduce((s, p) => s + p.fen, 0n);
  const order = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1,
  );
  for (const p of order) {
    if (left === 0n) break;
    p.fen += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p.fen));
}

/** `totalFen` in `n` parts as equal as possible (the first ones get the extra fen). */
export function splitEvenly(totalFen: number, n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`cannot split into ${n} parts`);
  return splitByWeights(
    totalFen,
    Array.from({ length: n }, () => 1),
  );
}

/**
 * Percentages with at most two decimals, as basis points (33.33 % → 3333), to fen of `totalFen`.
 * The basis points must add up to 10000 (100 %); the fen then add up to the total exactly.
 */
export function splitByPercent(totalFen: number, basisPoints: number[]): number[] {
  const sum = basisPoints.reduce((s, b) => s + b, 0);
  if (sum !== 10_000) throw new TypeError(`percentages must add up to 100, got ${sum / 100}`);
  return splitByWeights(totalFen, basisPoints);
}

/** "33.33" → 3333 basis points; null for anything but a number 0–100 with at most two decimals. */
export function parsePercent(text: string): number | null {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/**
 * Splits an awarded total across fund sources in proportion to what each source put in (largest
 * remainder, see splitByWeights), dropping the sources that get nothing.
 */
export function splitByShares<S extends string>(
  totalFen: number,
  shares: { source: S; amountFen: number }[],
): { source: S; amountFen: number }[] {
  const parts = splitByWeights(
    totalFen,
    shares.map((s) => s.amountFen),
  );
  return shares.map((s, i) => ({ source: s.source, amountFen: parts[i] })).filter((p) => p.amountFen > 0);
}

/**
 * A matrix of whole fen whose row i adds up to rowTotals[i] and column j to columnTotals[j], each
 * cell as close as it can be to the exact proportional value rowTotals[i] × columnTotals[j] / T
 * (T = Σ rows = Σ columns, a precondition).
 *
 * Guarantee (proved, and checked by property tests): every cell is the floor or the ceiling of its
 * exact value, so it is within 1 fen of it (and equal to it when the exact value is whole), never
 * negative, and the rows and columns add up exactly. Such a rounding always exists: the fractional
 * parts form a feasible flow in the network source → row i (capacity = the fen row i lacks after
 * flooring) → column j (capacity 1 for each cell with a fractional part) → sink (the fen column j
 * lacks), and a network with integer capacities has an integral maximum flow of the same value.
 *
 * How: floor every cell; hand out each row's missing fen to its cells with the largest remainders
 * whose column still lacks fen (ties: lower row, then lower column); if that greedy pass leaves a
 * row short, augmenting paths (breadth first, in index order) move fen between cells until every
 * row and column is exact. Deterministic: the same totals always give the same matrix.
 */
export function splitMatrix(rowTotals: number[], columnTotals: number[]): number[][] {
  rowTotals.forEach((r) => checkFen(r, 'a row total'));
  columnTotals.forEach((c) => checkFen(c, 'a column total'));
  const total = rowTotals.reduce((s, r) => s + BigInt(r), 0n);
  const columnSum = columnTotals.reduce((s, c) => s + BigInt(c), 0n);
  if (total !== columnSum) throw new TypeError(`rows add up to ${total} fen but columns to ${columnSum}`);
  const nRows = rowTotals.length;
  const nCols = columnTotals.length;
  if (total === 0n) return rowTotals.map(() => columnTotals.map(() => 0));

  const cell = rowTotals.map(() => columnTotals.map(() => 0n));
  const remainder = rowTotals.map(() => columnTotals.map(() => 0n));
  const rowShort = rowTotals.map((r) => BigInt(r));
  const colShort = columnTotals.map((c) => BigInt(c));
  for (let i = 0; i < nRows; i++) {
    for (let j = 0; j < nCols; j++) {
      const exact = BigInt(rowTotals[i]) * BigInt(columnTotals[j]);
      cell[i][j] = exact / total;
      remainder[i][j] = exact % total;
      rowShort[i] -= cell[i][j];
      colShort[j] -= cell[i][j];
    }
  }
  // raised[i][j]: the cell got its extra fen (ceiling instead of floor). Only cells with a remainder may.
  const raised = rowTotals.map(() => columnTotals.map(() => false));

  // Greedy pass: largest remainders first.
  const candidates: { i: number; j: number; r: bigint }[] = [];
  for (let i = 0; i < nRows; i++)
    for (let j = 0; j < nCols; j++) if (remainder[i][j] > 0n) candidates.push({ i, j, r: remainder[i][j] });
  candidates.sort((a, b) => (a.r === b.r ? a.i - b.i || a.j - b.j : a.r > b.r ? -1 : 1));
  for (const { i, j } of candidates) {
    if (rowShort[i] > 0n && colShort[j] > 0n) {
      raised[i][j] = true;
      rowShort[i] -= 1n;
      colShort[j] -= 1n;
    }
  }

  // Repair: an augmenting path from a short row to a short column alternates between cells not yet
  // raised (row → column) and raised cells (column → row), and flips each of them.
  for (let start = 0; start < nRows; start++) {
    while (rowShort[start] > 0n) {
      const fromCol = new Array<number>(nCols).fill(-1); // the row we reached this column from
      const fromRow = new Array<number>(nRows).fill(-1); // the column we reached this row from
      fromRow[start] = nCols; // marks the start
      const queue = [start];
      let end = -1;
      while (queue.length && end < 0) {
        const i = queue.shift()!;
        for (let j = 0; j < nCols && end < 0; j++) {
          if (fromCol[j] !== -1 || raised[i][j] || remainder[i][j] === 0n) continue;
          fromCol[j] = i;
          if (colShort[j] > 0n) {
            end = j;
            break;
          }
          for (let k = 0; k < nRows; k++) {
            if (fromRow[k] === -1 && raised[k][j]) {
              fromRow[k] = j;
              queue.push(k);
            }
          }
        }
      }
      if (end < 0) throw new Error('splitMatrix: no rounding found (cannot happen when the totals agree)');
      let j = end;
      for (;;) {
        const i = fromCol[j];
        raised[i][j] = true;
        if (i === start) break;
        const prev = fromRow[i];
        raised[i][prev] = false;
        j = prev;
      }
      rowShort[start] -= 1n;
      colShort[end] -= 1n;
    }
  }
  return cell.map((row, i) => row.map((fen, j) => Number(fen + (raised[i][j] ? 1n : 0n))));
}
