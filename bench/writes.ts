import autocannon from 'autocannon';
import type { BenchSet } from './data';
import { BENCH_PASSWORD } from './generate';
import { getPage, signIn, type Server } from './processes';

export interface WriteFigures {
  kind: string;
  database: string;
  connections: number;
  perSecond: number;
  ok: number;
  failed: number;
  p50: number;
  /** Set instead of figures when the kind was not measured, saying why. */
  note?: string;
}

const BOUNDARY = '----streetfund-bench-boundary';
/** The smallest PDF the upload check accepts (as test/helpers/pdf-fixture.ts): its startxref points at a real table. */
export function minimalPdf(): Buffer {
  const head = '%PDF-1.4\n';
  const body = `${head}1 0 obj<<>>endobj\n`;
  const entry = (offset: number, gen: string, kind: 'f' | 'n') =>
    `${String(offset).padStart(10, '0')} ${gen} ${kind} \n`;
  return Buffer.from(
    `${body}xref\n0 2\n${entry(0, '65535', 'f')}${entry(head.length, '00000', 'n')}trailer<</Size 2>>\nstartxref\n${body.length}\n%%EOF\n`,
    'latin1',
  );
}
const PROPOSAL = minimalPdf();

/** The bid form as a browser sends it: submitted at once, one budget line equal to the price, a proposal PDF. */
export function bidBody(csrf: string, priceYuan: string): Buffer {
  const fields: Record<string, string> = {
    _csrf: csrf,
    intent: 'submit',
    price: priceYuan,
    matchingFunds: '',
    servicePlan: '组建专业社工团队，建立服务对象档案，每月入户走访。',
    staffing: '持证社工3名',
    schedule: '按季度推进',
    expectedOutcomes: '满意度不低于90%',
    line1Item: '人员经费',
    line1Amount: priceYuan,
  };
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="proposal"; filename="方案.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    PROPOSAL,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return Buffer.concat(parts);
}

export interface BidJob {
  path: string;
  cookie: string;
  body: Buffer;
}

/**
 * Bid submissions (multipart, with a file, audited in the call's sealed log) from `users` organizations'
 * staff, each to an open call that organization has not bid on yet. Returns one job per (organization, call).
 */
export async function bidJobs(set: BenchSet, bases: string[], users: number, firstOrganization = 1): Promise<BidJob[]> {
  const now = new Date().toISOString();
  const calls = (
    await set.db('calls').where('status', 'published').where('closes_at', '>', now).orderBy('id').limit(400).pluck('id')
  ).map(Number);
  const taken = new Set(
    (
      await set
        .db('bids')
        .whereIn('call_id', calls)
        .whereNot('status', 'withdrawn')
        .select('call_id', 'organization_id')
    ).map((b) => `${b.call_id}:${b.organization_id}`),
  );
  const jobs: BidJob[] = [];
  for (let u = firstOrganization; u < Math.min(firstOrganization + users, set.data.volumes.organizations + 1); u++) {
    const base = bases[u % bases.length];
    const cookie = await signIn(base, `org${u}`, BENCH_PASSWORD);
    // The session's token is on every signed-in page (the sign-out form in the header).
    const form = await getPage(base, '/dashboard', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    if (!csrf) throw new Error(`no bid form for org${u} (status ${form.status})`);
    for (const call of calls)
      if (!taken.has(`${call}:${u}`))
        jobs.push({
          path: `/calls/${call}/bids`,
          cookie,
          body: bidBody(csrf, `${10000 + u}.${String(call % 100).padStart(2, '0')}`),
        });
  }
  // Interleave organizations, so the connections do not queue on one organization's calls.
  return jobs.sort((a, b) => Number(/\d+/.exec(a.path)![0]) - Number(/\d+/.exec(b.path)![0]));
}

/** Sends the jobs over `connections`, for `duration` seconds or until they run out; counts 303 (submitted) as ok. */
export async function sendBids(
  base: string,
  jobs: BidJob[],
  connections: number,
  duration: number,
): Promise<{ ok: number; failed: number; seconds: number; p50: number }> {
  if (jobs.length === 0) return { ok: 0, failed: 0, seconds: 0, p50: NaN };
  let next = 0;
  let ok = 0;
  let failed = 0;
  const started = performance.now();
  const instance = autocannon({
    url: base,
    connections,
    duration,
    amount: jobs.length,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const job = jobs[next++ % jobs.length];
          return {
            ...req,
            method: 'POST',
            path: job.path,
            headers: { cookie: job.cookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            body: job.body,
          };
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number) => (status === 303 ? ok++ : failed++));
  const result = await instance;
  return { ok, failed, seconds: (performance.now() - started) / 1000, p50: result.latency.p50 };
}

export async function measureWrites(
  set: BenchSet,
  app: Server,
  database: string,
  duration: number,
): Promise<WriteFigures> {
  const jobs = await bidJobs(set, [app.base], 20, 1);
  const before = Number((await set.db('bids').count({ n: '*' }))[0].n);
  const r = await sendBids(app.base, jobs, 4, duration);
  const added = Number((await set.db('bids').count({ n: '*' }))[0].n) - before;
  return {
    kind: 'bid submissions',
    database,
    connections: 4,
    perSecond: r.seconds ? added / r.seconds : 0,
    ok: r.ok,
    failed: r.failed,
    p50: r.p50,
  };
}
