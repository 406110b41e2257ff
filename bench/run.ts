import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openBenchSet, benchDataDir, workingCopy, type BenchSet } from './data';
import { BENCH_AUDIT_KEY, BENCH_PASSWORD, type BenchData } from './generate';
import { measureReports, type ReportFigure } from './reports';
import { getPage, signIn, startServer, type Server } from './processes';
import { measureWrites, type WriteFigures } from './writes';
import { ledgerProof, measureApprovals, type ApprovalFigures } from './payments';
import { twoInstances, type TwoInstanceFigures } from './instances';
import { rootDir } from '../src/config';

/**
 * `npm run bench`: pages under concurrent load against a bare Express 5 + EJS page of the same size,
 * measured alternately in the same run; the same pages on the 1% set for the scaling ratio; writes on
 * SQLite and PostgreSQL; peak RSS; two instances on one PostgreSQL. One table at the end, and the
 * figures as JSON in data/bench/results-<time>.json. See bench/README.md.
 *
 * Flags: --smoke (0.1% data, 0.5 s per page, one round, asserts nothing about speed), --scale <full>
 * (default 1), --small <scale> (default 0.01), --duration <s> (default 10), --connections <n>
 * (default 16), --rounds <n> (default 3), --only <substring of a page name>. PostgreSQL parts run
 * when BENCH_PG_URL names a database the bench may wipe (postgres://.../streetfund_bench).
 */
function flag(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const smoke = process.argv.includes('--smoke');
const FULL = Number(flag('scale') ?? (smoke ? 0.001 : 1));
const SMALL = smoke ? null : Number(flag('small') ?? 0.01);
const DURATION = Number(flag('duration') ?? (smoke ? 0.5 : 10));
const CONNECTIONS = Number(flag('connections') ?? 16);
const ROUNDS = Number(flag('rounds') ?? (smoke ? 1 : 3));
const ONLY = flag('only');
/** --pages-only: the pages (and the scaling) alone, no reports, writes, PostgreSQL or PDFs: a quick before/after of a query fix. */
const PAGES_ONLY = process.argv.includes('--pages-only');
const PG_URL = process.env.BENCH_PG_URL ?? '';
/** BENCH_PORT: the app's port; a second instance takes the next, the baseline the one after (default 3307). */
const PORT = Number(process.env.BENCH_PORT ?? 3307);
const PORTS = { app: PORT, second: PORT + 1, baseline: PORT + 2 };
/** Proposals made for the approvals run: more than 4 connections approve in the time (each is approved once). */
const APPROVALS = smoke ? 40 : Math.max(200, DURATION * 60);

export interface PageSpec {
  name: string;
  path: string;
  as?: keyof BenchData['users'];
  /** Every request a new address (`&v=n`), so an anonymous public page is rendered each time, never
   *  the kept copy (web/page-cache.ts): the cost of a page on the first view after a change. */
  unkept?: boolean;
}

/** The pages of the issue, for one generated set (ids from the set's sample). */
function pagesFor(data: BenchData): PageSpec[] {
  const s = data.sample;
  return [
    { name: 'open-calls list', path: '/calls' },
    { name: 'calls list, page 250 (all)', path: '/calls?status=all&page=250&after=CALLS250' },
    { name: 'calls page 250, typed number', path: '/calls?status=all&page=250' },
    { name: 'call page', path: `/calls/${s.awardedCallId}` },
    { name: 'catalogue', path: '/catalog' },
    { name: 'registry', path: '/registry' },
    { name: 'manager dashboard', path: '/dashboard', as: 'manager' },
    { name: 'organization dashboard', path: '/dashboard', as: 'orgStaff' },
    { name: 'approver dashboard (queue)', path: '/dashboard', as: 'approver' },
    { name: 'contract list', path: '/contracts', as: 'manager' },
    { name: 'contract page', path: `/contracts/${s.contractId}`, as: 'manager' },
    { name: 'street-year funds page', path: `/funds/streets/${s.streetOfficeId}/years/${s.year}`, as: 'manager' },
    { name: 'public contract list', path: '/public/contracts' },
    { name: 'public contracts, street+year', path: `/public/contracts?street=${s.streetOfficeId}&year=${s.year - 1}` },
    { name: 'public contracts, category', path: '/public/contracts?category=1' },
    { name: 'public contracts, middle page', path: '/public/contracts?page=MIDDLE&after=MIDDLE_KEY' },
    { name: 'public street-year page', path: `/public/streets/${s.streetOfficeId}/${s.year - 1}` },
    { name: 'public category, not kept', path: '/public/contracts?category=1', unkept: true },
    { name: 'public middle page, not kept', path: '/public/contracts?page=MIDDLE&after=MIDDLE_KEY', unkept: true },
    { name: 'public street-year, not kept', path: `/public/streets/${s.streetOfficeId}/${s.year - 1}`, unkept: true },
    { name: 'audit trail, first page', path: '/audit?page=1', as: 'admin' },
    { name: 'audit trail, last page', path: '/audit?page=LAST', as: 'admin' },
  ].filter((p) => !ONLY || p.name.includes(ONLY)) as PageSpec[];
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  duration = DURATION,
  connections = CONNECTIONS,
  unkept = false,
): Promise<Load> {
  let n = 0;
  const { pathname, search } = new URL(url);
  const requests = unkept
    ? [{ setupRequest: (req: { path?: string }) => ({ ...req, path: `${pathname}${search || '?'}&v=${++n}` }) }]
    : undefined;
  const r = await autocannon({ url, connections, duration, headers, timeout: 30, requests });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface PageFigures {
  name: string;
  path: string;
  bytes: number;
  status: number;
  app: Load[];
  baseline: Load[];
  ratio: { min: number; median: number; max: number };
  smallP50?: number;
}

async function sessionsFor(base: string, data: BenchData): Promise<Record<string, string>> {
  const cookies: Record<string, string> = {};
  for (const [role, username] of Object.entries(data.users))
    cookies[role] = await signIn(base, username, BENCH_PASSWORD);
  return cookies;
}

async function resolvePath(set: BenchSet, base: string, spec: PageSpec, cookie: string | undefined): Promise<string> {
  // A deep page as its "next" link reaches it: the cursor of the last row of the page before.
  if (spec.path.includes('CALLS250')) {
    // Page 250, or the last full page of a set with fewer calls (the 1 % set has 25 pages).
    const calls = () => set.db('calls').whereNot('status', 'draft');
    const [{ n }] = await calls().count({ n: '*' });
    const page = Math.max(2, Math.min(250, Math.floor(Number(n) / 20)));
    const edge = await calls()
      .orderBy('closes_at')
      .orderBy('id')
      .offset((page - 1) * 20 - 1)
      .first('closes_at', 'id');
    return spec.path.replace('page=250', `page=${page}`).replace('CALLS250', `${edge.closes_at}_${edge.id}`);
  }
  if (spec.path.includes('MIDDLE')) {
    // The same depth in every set: half-way through the signed contracts (page 2,500 of the full set, 25 of the 1 %).
    const signed = () => set.db('contracts').whereIn('status', ['active', 'completed', 'terminated']);
    const [{ n }] = await signed().count({ n: '*' });
    const page = Math.max(2, Math.floor(Number(n) / 20 / 2));
    const edge = await signed()
      .orderBy('id', 'desc')
      .offset((page - 1) * 20 - 1)
      .first('id');
    return spec.path.replace('MIDDLE_KEY', String(edge.id)).replace('MIDDLE', String(page));
  }
  if (!spec.path.includes('LAST')) return spec.path;
  const first = await getPage(base, spec.path.replace('LAST', '1'), cookie);
  const m = /第 \d+ \/ (\d+) 页|Page \d+ of (\d+)/.exec(first.text);
  return spec.path.replace('LAST', m ? (m[1] ?? m[2]) : '1');
}

function appEnv(set: BenchSet, uploadDir: string): Record<string, string> {
  // What an operator sets for `npm start`: where the data is, the audit key of that data. Nothing about speed.
  const env: Record<string, string> = {
    ...set.env,
    AUDIT_KEY: BENCH_AUDIT_KEY,
    UPLOAD_DIR: uploadDir,
    MFA_KEY_FILE: path.join(uploadDir, 'mfa.key'),
  };
  return env;
}

async function countSessions(set: BenchSet): Promise<number> {
  const [{ n }] = await set.db('sessions').count({ n: '*' });
  return Number(n);
}

/** Pages of one set: app and baseline alternately, `rounds` times; with rounds 0 only the app, once. */
async function measurePages(
  set: BenchSet,
  app: Server,
  baseline: Server | null,
  rounds: number,
  duration: number,
): Promise<PageFigures[]> {
  const cookies = await sessionsFor(app.base, set.data);
  // The sample contract of a set generated before version 6 could be 0 (no 2026 contract in street 1
  // at scale 1): take the newest contract of the manager's street from the set itself.
  const newest = await set
    .db('contracts')
    .where('street_office_id', set.data.sample.streetOfficeId)
    .max({ id: 'id' })
    .first();
  set.data.sample.contractId = Number(newest?.id ?? set.data.sample.contractId);
  const out: PageFigures[] = [];
  for (const spec of pagesFor(set.data)) {
    const cookie = spec.as ? cookies[spec.as] : undefined;
    const pathname = await resolvePath(set, app.base, spec, cookie);
    const probe = await getPage(app.base, pathname, cookie);
    const headers: Record<string, string> = cookie ? { cookie } : {};
    const fig: PageFigures = {
      name: spec.name,
      path: pathname,
      bytes: probe.bytes,
      status: probe.status,
      app: [],
      baseline: [],
      ratio: { min: 0, median: 0, max: 0 },
    };
    const n = Math.max(1, rounds);
    for (let r = 0; r < n; r++) {
      fig.app.push(await load(app.base + pathname, headers, duration, CONNECTIONS, spec.unkept));
      if (baseline) fig.baseline.push(await load(`${baseline.base}/page/${probe.bytes}`, {}, duration));
    }
    if (baseline) {
      const ratios = fig.app.map((a, i) => a.rps / fig.baseline[i].rps);
      fig.ratio = { min: Math.min(...ratios), median: median(ratios), max: Math.max(...ratios) };
    }
    const last = fig.app[fig.app.length - 1];
    console.error(
      `  ${spec.name.padEnd(30)} ${String(probe.status).padStart(3)} ${(probe.bytes / 1024).toFixed(1).padStart(6)} KB  ${median(
        fig.app.map((a) => a.rps),
      )
        .toFixed(0)
        .padStart(6)} req/s  p50 ${last.p50} ms${baseline ? `  ratio ${fig.ratio.median.toFixed(3)}` : ''}`,
    );
    out.push(fig);
  }
  return out;
}

/** Anonymous load on public pages writes no session row (and so no database write). */
async function anonymousWrites(set: BenchSet, app: Server): Promise<{ requests: number; sessionRowsAdded: number }> {
  const before = await countSessions(set);
  const r = await autocannon({ url: `${app.base}/calls`, connections: 4, duration: Math.min(DURATION, 3) });
  return { requests: r.requests.total, sessionRowsAdded: (await countSessions(set)) - before };
}

function fmt(n: number, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

function printTable(results: {
  pages: PageFigures[];
  startMs: number;
  startCpuMs: number;
  pagesPeakRssMb: number;
  peakRssMb: number;
  anon: { requests: number; sessionRowsAdded: number };
  writes: WriteFigures[];
  proof: { database: string; entries: number; problems: number; ms: number[] };
  instances: TwoInstanceFigures | string;
  logBytesPerRequest: number;
  reports: ReportFigure[];
}) {
  const lines = pageLines(results.pages);
  lines.push('');
  for (const r of results.reports)
    lines.push(
      `${(r.name + (r.status !== 200 ? ` [${r.status}]` : '')).padEnd(34)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KB  median ${fmt(r.medianMs)} ms, max ${fmt(r.maxMs)} ms`,
    );
  lines.push('');
  for (const w of results.writes)
    lines.push(
      `writes, ${w.kind} on ${w.database}, ${w.connections} connections: ${w.note ?? `${fmt(w.perSecond, 1)}/s (${w.ok} ok, ${w.failed} failed), p50 ${fmt(w.p50)} ms`}`,
    );
  const sorted = [...results.proof.ms].sort((a, b) => a - b);
  lines.push(
    `ledger-balance proof (funds:reconcile: reconcile, negativeHoldings, paymentInvariants) on ${results.proof.database} over ${results.proof.entries.toLocaleString('en')} entries: ${sorted.map((ms) => fmt(ms)).join(' / ')} ms (median ${fmt(sorted[Math.floor(sorted.length / 2)])}), ${results.proof.problems} problems`,
  );
  lines.push(
    `peak RSS of the app under the page load: ${fmt(results.pagesPeakRssMb, 0)} MB, over the whole run (reports and writes too): ${fmt(results.peakRssMb, 0)} MB; start to first answer on the existing set: ${fmt(results.startMs)} ms wall, ${fmt(results.startCpuMs)} ms CPU`,
  );
  lines.push(
    `anonymous GET /calls: ${results.anon.requests} requests, ${results.anon.sessionRowsAdded} session rows written; log: ${fmt(results.logBytesPerRequest)} bytes per request`,
  );
  if (typeof results.instances === 'string') lines.push(`two instances on one PostgreSQL: ${results.instances}`);
  else {
    const t = results.instances;
    lines.push(
      `two instances on one PostgreSQL: ${fmt(t.rps)} req/s over both (${t.page}), session made on A honoured by B: ${t.sessionAcross}, writes ${t.writesOk} answered ok / ${t.rowsAdded} rows added (lost: ${t.writesOk - t.rowsAdded}), audit chain verifies: ${t.chainOk} (${t.events} events)`,
    );
  }
  console.log(lines.join('\n'));
}

function printPages(pages: PageFigures[]) {
  console.log(pageLines(pages).join('\n'));
}

function pageLines(pages: PageFigures[]): string[] {
  const lines: string[] = [];
  const head = `${'page'.padEnd(30)} ${'KB'.padStart(6)} ${'req/s'.padStart(7)} ${'p50'.padStart(5)} ${'p99'.padStart(5)} ${'base r/s'.padStart(8)} ${'ratio min/med/max'.padStart(20)} ${'1% p50'.padStart(6)} ${'full/1%'.padStart(7)}`;
  lines.push(head, '-'.repeat(head.length));
  for (const p of pages) {
    const rps = median(p.app.map((a) => a.rps));
    const p50 = median(p.app.map((a) => a.p50));
    const p99 = median(p.app.map((a) => a.p99));
    const base = p.baseline.length ? median(p.baseline.map((b) => b.rps)) : NaN;
    const ratio = p.baseline.length
      ? `${p.ratio.min.toFixed(3)}/${p.ratio.median.toFixed(3)}/${p.ratio.max.toFixed(3)}`
      : '—';
    const bad = p.app.reduce((s, a) => s + a.non2xx + a.errors, 0);
    lines.push(
      `${(p.name + (p.status !== 200 || bad ? ` [${p.status}${bad ? `, ${bad} non-2xx` : ''}]` : '')).padEnd(30)} ${(p.bytes / 1024).toFixed(1).padStart(6)} ${fmt(rps).padStart(7)} ${fmt(p50).padStart(5)} ${fmt(p99).padStart(5)} ${fmt(base).padStart(8)} ${ratio.padStart(20)} ${fmt(p.smallP50 ?? NaN).padStart(6)} ${p.smallP50 ? fmt(p50 / Math.max(1, p.smallP50), 2).padStart(7) : '—'.padStart(7)}`,
    );
  }
  return lines;
}

async function main() {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-bench-'));
  console.error(
    `bench: full scale ${FULL}${SMALL ? `, small ${SMALL}` : ''}, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; logs in ${logDir}`,
  );
  const baseline = await startServer('dist/bench/baseline.js', PORTS.baseline, {}, logDir, '/page/0');

  // The small set first (app only, once): its p50 per page for the scaling ratio.
  const smallP50 = new Map<string, number>();
  if (SMALL) {
    const set = await workingCopy(await openBenchSet(SMALL, ''), logDir);
    const uploads = fs.mkdtempSync(path.join(logDir, 'uploads-small-'));
    const app = await startServer('dist/src/server.js', PORTS.app, appEnv(set, uploads), logDir);
    console.error(`small set (${SMALL}): app answered ${app.startMs.toFixed(0)} ms after start`);
    for (const p of await measurePages(set, app, null, 0, DURATION)) smallP50.set(p.name, p.app[0].p50);
    await app.stop();
    await set.db.destroy();
  }

  const set = await workingCopy(await openBenchSet(FULL, ''), logDir);
  const uploads = fs.mkdtempSync(path.join(logDir, 'uploads-'));
  const app = await startServer('dist/src/server.js', PORTS.app, appEnv(set, uploads), logDir);
  console.error(`set ${FULL}: app answered ${app.startMs.toFixed(0)} ms after start`);
  const pages = await measurePages(set, app, baseline, ROUNDS, DURATION);
  for (const p of pages) p.smallP50 = smallP50.get(p.name);
  const anon = await anonymousWrites(set, app);
  // The page load's peak, before the reports (a district-year register spreadsheet of 100,000 rows) and the writes.
  const pagesPeakRssMb = app.peakRssMb();
  if (PAGES_ONLY) {
    for (const p of pages) p.smallP50 = smallP50.get(p.name);
    console.log(
      `\nStreetfund bench (pages only), ${new Date().toISOString()}, scale ${FULL} (SQLite), load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    printPages(pages);
    console.log(
      `peak RSS of the app under the page load: ${fmt(pagesPeakRssMb, 0)} MB; start to first answer: ${fmt(app.startMs)} ms wall, ${fmt(app.startCpuMs)} ms CPU`,
    );
    await app.stop();
    await set.db.destroy();
    await baseline.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
    return;
  }
  console.error('reports (one request at a time):');
  const reports = await measureReports(set, app, smoke ? 1 : 3);
  const totalRequests = pages.reduce((s, p) => s + p.app.reduce((t, a) => t + a.rps * DURATION, 0), 0) + anon.requests;
  const logBytesPerRequest = fs.statSync(app.logFile).size / Math.max(1, totalRequests);
  const writes: WriteFigures[] = [await measureWrites(set, app, 'SQLite', DURATION)];
  const approvals: ApprovalFigures[] = [await measureApprovals(set, app, uploads, 'SQLite', DURATION, APPROVALS)];
  const proofs = [approvals[0].proof, await ledgerProof(set.db), await ledgerProof(set.db)];
  const proof = {
    database: 'SQLite',
    entries: proofs[0].entries,
    problems: proofs.reduce((n, p) => n + p.problems, 0),
    ms: proofs.map((p) => p.ms),
  };
  const peakRssMb = app.peakRssMb();
  const startMs = app.startMs;
  const startCpuMs = app.startCpuMs;
  await app.stop();
  await set.db.destroy();
  await baseline.stop();

  let instances: TwoInstanceFigures | string = 'not measured: BENCH_PG_URL not set';
  if (PG_URL) {
    const pg = await workingCopy(await openBenchSet(smoke ? 0.001 : 0.01, PG_URL), logDir);
    const pgUploads = fs.mkdtempSync(path.join(logDir, 'uploads-pg-'));
    const one = await startServer('dist/src/server.js', PORTS.app, appEnv(pg, pgUploads), logDir);
    writes.push(await measureWrites(pg, one, 'PostgreSQL', DURATION));
    approvals.push(await measureApprovals(pg, one, pgUploads, 'PostgreSQL', DURATION, APPROVALS));
    await one.stop();
    instances = await twoInstances(pg, appEnv(pg, pgUploads), logDir, DURATION, [PORTS.app, PORTS.second]);
    await pg.db.destroy();
  } else
    for (const kind of ['bid submissions', 'payment approvals'])
      writes.push({
        kind,
        database: 'PostgreSQL',
        connections: 4,
        perSecond: NaN,
        ok: 0,
        failed: 0,
        p50: NaN,
        note: 'not measured: BENCH_PG_URL not set',
      });
  for (const a of approvals)
    writes.push({
      ...a,
      note: `${fmt(a.perSecond, 1)}/s (${a.released} released of ${a.proposals} proposals waiting, ${a.ok} answered 303, ${a.failed} other), p50 ${fmt(a.p50)} ms; afterwards ${a.problems.length ? `PROBLEMS: ${a.problems.slice(0, 5).join('; ')}` : 'each released exactly once and funds:reconcile finds nothing'}`,
    });
  const approvalProblems = approvals.flatMap((a) => a.problems);

  const results = {
    when: new Date().toISOString(),
    loadAverage: os.loadavg(),
    scale: FULL,
    small: SMALL,
    duration: DURATION,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    pages,
    startMs,
    startCpuMs,
    pagesPeakRssMb,
    peakRssMb,
    anon,
    writes,
    proof,
    instances,
    logBytesPerRequest,
    reports,
  };
  fs.mkdirSync(benchDataDir(), { recursive: true });
  const file = path.join(benchDataDir(), `results-${results.when.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  console.log(
    `\nStreetfund bench, ${results.when}, scale ${FULL} (SQLite), load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  printTable(results);
  console.log(`(figures also in ${path.relative(rootDir, file)})`);
  fs.rmSync(logDir, { recursive: true, force: true });
  if (approvalProblems.length)
    throw new Error(`payment approvals: ${approvalProblems.length} problems, e.g. ${approvalProblems[0]}`);

  // The PDFs last, in their own process (bench/pdf.ts; also `npm run bench:pdf`).
  console.log('');
  const pdf = spawnSync(process.execPath, [path.join(rootDir, 'dist/bench/pdf.js')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      BENCH_ROUNDS: smoke ? '3' : (process.env.BENCH_ROUNDS ?? '50'),
      BENCH_WARMUP: smoke ? '1' : '10',
    },
  });
  if (pdf.status !== 0) throw new Error(`bench/pdf.js exited with ${pdf.status}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
