import { loadConfig } from '../../config';
import { createDb } from '../../db/knex';
import { negativeHoldings, reconcile } from '../funds';
import { paymentInvariants } from './invariants';

/** npm run funds:reconcile — proves the whole ledger: every balance row equals what its entries add
 *  up to, no award item holds less than zero, and the payments agree with the ledger and the
 *  contracts. Prints `ok` with the counts, or every street-year-source (and payment) that differs;
 *  exits 1 then. */
async function main() {
  const db = createDb(loadConfig());
  try {
    const started = Date.now();
    const [differences, negatives, problems] = await Promise.all([
      reconcile(db),
      negativeHoldings(db),
      paymentInvariants(db),
    ]);
    const entries = await db('fund_entries').count({ n: '*' }).first();
    for (const d of differences) {
      const show = (x: typeof d.ledger | null) =>
        x
          ? `allocated ${x.allocatedFen} reserved ${x.reservedFen} committed ${x.committedFen} paid ${x.paidFen}`
          : 'no balance row';
      console.log(
        `DIFFERS street ${d.streetOfficeId} year ${d.year} source ${d.source}: balance ${show(d.account)}; ledger ${show(d.ledger)}`,
      );
    }
    for (const n of negatives)
      console.log(
        `NEGATIVE award item ${n.awardItemId} source ${n.source}: committed ${n.committedFen} paid ${n.paidFen}`,
      );
    for (const p of problems) console.log(`PAYMENT ${p}`);
    if (differences.length || negatives.length || problems.length) process.exitCode = 1;
    else
      console.log(
        `ok: ${Number(entries?.n ?? 0)} ledger entries reconcile with every balance row; payments agree (${Date.now() - started} ms)`,
      );
  } finally {
    await db.destroy();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
