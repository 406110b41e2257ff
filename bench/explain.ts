import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { systemClock } from '../src/shared/clock';
import { migrateLatest } from '../src/db/migrate';
import { scaleArg } from './data-cli';
import { openBenchSet } from './data';
import { BENCH_AUDIT_KEY, BENCH_PASSWORD, type BenchData } from './generate';
import { signIn } from './processes';

/**
 * `npm run bench:explain -- --scale 0.01 /calls [role]`: requests one page of a generated set (as the
 * role of BenchData.users, or anonymously) in-process (--migrate: newer migrations first; --time: each statement re-run alone, median of ten) and prints every SQL statement it ran with its
 * time and, on SQLite, its EXPLAIN QUERY PLAN (EXPLAIN on PostgreSQL). Read-only use of the stored set.
 */
async function main() {
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--scale' && all[i - 1] !== '--scale' && a !== '--migrate' && a !== '--time');
  const [pathname, role] = args;
  const set = await openBenchSet(scaleArg(process.argv.slice(2), 0.01));
  // --migrate: the migrations newer than the set first (indexes under test). This changes the stored
  // set: point BENCH_DATA_DIR at a copy when the set must stay as generated.
  if (process.argv.includes('--migrate')) await migrateLatest(set.db);
  const config = { ...loadConfig({ ...process.env, ...set.env, AUDIT_KEY: BENCH_AUDIT_KEY, LOG_LEVEL: 'silent' }) };
  const built = createApp({ config, db: set.db, clock: systemClock });
  const server = built.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cookie = role
    ? await signIn(base, set.data.users[role as keyof BenchData['users']], BENCH_PASSWORD)
    : undefined;
  await fetch(base + pathname, { headers: cookie ? { cookie } : {} }).then((r) => r.arrayBuffer()); // warm
  const started = new Map<string, number>();
  const ran: { sql: string; bindings: unknown[]; ms: number }[] = [];
  set.db.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  set.db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string; bindings: unknown[] }) =>
    ran.push({ sql: q.sql, bindings: q.bindings ?? [], ms: performance.now() - (started.get(q.__knexQueryUid) ?? 0) }),
  );
  const t = performance.now();
  const res = await fetch(base + pathname, { headers: cookie ? { cookie } : {} });
  const bytes = (await res.arrayBuffer()).byteLength;
  console.log(
    `${pathname}${role ? ` as ${role}` : ''}: ${res.status}, ${bytes} bytes, ${(performance.now() - t).toFixed(1)} ms, ${ran.length} statements`,
  );
  set.db.removeAllListeners();
  for (const q of ran) {
    console.log(
      `\n${q.ms.toFixed(1)} ms  ${q.sql.slice(0, 600)}${q.bindings.length ? `  [${q.bindings.slice(0, 12).join(', ')}]` : ''}`,
    );
    if (!/^\s*(select|with)/i.test(q.sql)) continue;
    // --time: the statement again, alone, ten times (the page runs some side by side, which blurs their times).
    if (process.argv.includes('--time')) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const result = await set.db.raw(q.sql, q.bindings as never);
        times.push(performance.now() - t0);
        rows = (Array.isArray(result) ? result : result.rows).length;
      }
      console.log(`    alone: median ${times.sort((a, b) => a - b)[5].toFixed(2)} ms of 10, ${rows} rows`);
    }
    const plan = set.env.SQLITE_FILE
      ? await set.db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never)
      : await set.db.raw(`EXPLAIN ${q.sql}`, q.bindings as never);
    const rows = (Array.isArray(plan) ? plan : plan.rows) as Record<string, unknown>[];
    for (const r of rows) console.log(`    ${String(r.detail ?? r['QUERY PLAN'])}`);
  }
  server.close();
  await built.close();
  await set.db.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
