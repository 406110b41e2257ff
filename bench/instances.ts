import autocannon from 'autocannon';
import { useAuditKey } from '../src/audit/audit';
import { verifyAll } from '../src/audit/verify';
import type { BenchSet } from './data';
import { BENCH_AUDIT_KEY, BENCH_PASSWORD } from './generate';
import { getPage, signIn, startServer } from './processes';
import { bidJobs, sendBids } from './writes';

export interface TwoInstanceFigures {
  page: string;
  rps: number;
  sessionAcross: boolean;
  writesOk: number;
  rowsAdded: number;
  chainOk: boolean;
  events: number;
}

/**
 * Two app processes on one PostgreSQL database: a session made on A is honoured by B; page load spread
 * over both; bid submissions and sign-ins (main-chain audit events) on both at once; afterwards
 * every answered write is a row and the audit chain and sealed logs verify as one.
 */
export async function twoInstances(
  set: BenchSet,
  env: Record<string, string>,
  logDir: string,
  duration: number,
  ports: [number, number],
): Promise<TwoInstanceFigures> {
  const a = await startServer('dist/src/server.js', ports[0], env, logDir);
  const b = await startServer('dist/src/server.js', ports[1], env, logDir);
  try {
    const cookie = await signIn(a.base, set.data.users.manager, BENCH_PASSWORD);
    const across = await getPage(b.base, '/dashboard', cookie);
    const sessionAcross = across.status === 200 && !across.text.includes('name="password"');

    const page = '/calls';
    const [ra, rb] = await Promise.all([a, b].map((s) => autocannon({ url: s.base + page, connections: 8, duration })));
    const rps = ra.requests.average + rb.requests.average;

    const jobs = await bidJobs(set, [a.base, b.base], 16, 21); // organizations the single-instance run left alone
    const half = Math.ceil(jobs.length / 2);
    const before = Number((await set.db('bids').count({ n: '*' }))[0].n);
    const signIns = Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        signIn(i % 2 ? a.base : b.base, `mgr${(i % set.data.volumes.streets) + 1}`, BENCH_PASSWORD),
      ),
    );
    const [wa, wb] = await Promise.all([
      sendBids(a.base, jobs.slice(0, half), 2, duration),
      sendBids(b.base, jobs.slice(half), 2, duration),
      signIns,
    ]);
    const rowsAdded = Number((await set.db('bids').count({ n: '*' }))[0].n) - before;

    useAuditKey(BENCH_AUDIT_KEY);
    const verified = await verifyAll(set.db);
    return {
      page,
      rps,
      sessionAcross,
      writesOk: wa.ok + wb.ok,
      rowsAdded,
      chainOk: verified.ok,
      events: verified.main.count,
    };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
