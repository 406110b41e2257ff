import { performance } from 'node:perf_hooks';
import type { BenchSet } from './data';
import { BENCH_PASSWORD } from './generate';
import { signIn, type Server } from './processes';

/** One report timed: the page, or a download read to its last byte (the spreadsheet is streamed). */
export interface ReportFigure {
  name: string;
  status: number;
  bytes: number;
  /** Median of the timed rounds, after one warm-up, in ms. */
  medianMs: number;
  maxMs: number;
}

async function timed(
  base: string,
  pathname: string,
  cookie: string,
): Promise<{ ms: number; status: number; bytes: number }> {
  const start = performance.now();
  const res = await fetch(base + pathname, { headers: { cookie }, redirect: 'manual' });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { ms: performance.now() - start, status: res.status, bytes };
}

/**
 * The auditors' reports of issue 13 on the generated set, signed in as the district administrator
 * (who reads every street office): the fund report and the contract register for one street-year
 * and for the whole district-year, each as its page and as its .xlsx. Sequential, one request at a
 * time: the issue's targets (fund report page within 1 s, its spreadsheet within 2 s for a
 * district-year) are about one user's wait, not throughput.
 */
export async function measureReports(set: BenchSet, app: Server, rounds: number): Promise<ReportFigure[]> {
  const cookie = await signIn(app.base, set.data.users.admin, BENCH_PASSWORD);
  const { streetOfficeId, year } = set.data.sample;
  const cases: [string, string][] = [
    ['fund report, street-year page', `/reports/funds?street=${streetOfficeId}&year=${year}`],
    ['fund report, street-year xlsx', `/reports/funds/export?street=${streetOfficeId}&year=${year}&format=xlsx`],
    ['fund report, district-year page', `/reports/funds?street=all&year=${year}`],
    ['fund report, district-year xlsx', `/reports/funds/export?street=all&year=${year}&format=xlsx`],
    ['register, street-year page', `/reports/register?street=${streetOfficeId}&year=${year}`],
    ['register, street-year xlsx', `/reports/register/export?street=${streetOfficeId}&year=${year}&format=xlsx`],
    ['register, district-year page', `/reports/register?street=all&year=${year}`],
    ['register, district-year xlsx', `/reports/register/export?street=all&year=${year}&format=xlsx`],
  ];
  const out: ReportFigure[] = [];
  for (const [name, pathname] of cases) {
    const warm = await timed(app.base, pathname, cookie);
    const times: number[] = [];
    for (let i = 0; i < Math.max(1, rounds); i++) times.push((await timed(app.base, pathname, cookie)).ms);
    times.sort((a, b) => a - b);
    out.push({
      name,
      status: warm.status,
      bytes: warm.bytes,
      medianMs: times[Math.floor(times.length / 2)],
      maxMs: times[times.length - 1],
    });
    console.error(
      `  ${name.padEnd(34)} ${String(warm.status).padStart(3)} ${(warm.bytes / 1024).toFixed(1).padStart(8)} KB  median ${times[Math.floor(times.length / 2)].toFixed(0)} ms`,
    );
  }
  return out;
}
