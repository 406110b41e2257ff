import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { draftContract } from '../contracts/factory';
import { walkedChain } from './factory';

let ctx: TestContext;
let chain: Awaited<ReturnType<typeof walkedChain>>;
beforeAll(async () => {
  ctx = await createTestContext();
  chain = await walkedChain(ctx);
}, 120_000); // the whole chain, on a loaded machine
afterAll(() => ctx.close());

const anon = () => request(ctx.app);
const asText = (r: NodeJS.ReadableStream, cb: (err: Error | null, body: string) => void) => {
  let d = '';
  r.setEncoding('utf8');
  r.on('data', (c: string) => (d += c));
  r.on('end', () => cb(null, d));
};
/** data-fen values of the elements matching a tag name inside the element with this id. */
function fens(html: string, id: string, tag: 'rect' | 'td' | 'dd' = 'td'): number[] {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const end = tag === 'rect' ? html.indexOf('</svg>', start) : html.indexOf(tag === 'dd' ? '</dl>' : '</table>', start);
  const part = html.slice(start, end);
  return [...part.matchAll(new RegExp(`<${tag}[^>]*data-fen="(-?\\d+)"`, 'g'))].map((m) => Number(m[1]));
}
/** The SVG whose title has this id prefix. */
const svgOf = (html: string, id: string) =>
  html.slice(
    html.lastIndexOf('<svg', html.indexOf(`id="${id}-title"`)),
    html.indexOf('</svg>', html.indexOf(`id="${id}-title"`)) + 6,
  );

describe('the street-year page', () => {
  it("answers without sign-in with the fund by source, the floor, growth, and charts whose numbers are the table's and the ledger's", async () => {
    const street = chain.call.streetOfficeId;
    const res = await anon().get(`/public/streets/${street}/2026`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.text).toContain('低于 ¥2,000,000.00 的保底');
    expect(res.text).toContain('上年无下达记录');
    // Sources chart: four segments per source, equal to the table's cells (paid, committed, reserved, available).
    const chartSources = fens(svgOf(res.text, 'chart-sources'), 'chart-sources-title', 'rect');
    const tableSources = fens(res.text, 'sources-table').filter((_, i) => i % 5 !== 0 && i < 20);
    expect(chartSources).toEqual(tableSources);
    // The ledger: what fund_accounts and fund_entries say is paid.
    const accounts = await ctx.db('fund_accounts').where({ street_office_id: street, year: 2026 });
    const paid = accounts.reduce((s, a) => s + Number(a.paid_fen), 0);
    expect(paid).toBe(chain.paidFen);
    const months = fens(svgOf(res.text, 'chart-months'), 'chart-months-title', 'rect');
    expect(months).toEqual(fens(res.text, 'months-table'));
    expect(months.reduce((a, b) => a + b, 0)).toBe(paid);
    expect(months[10]).toBe(paid); // paid on the test clock's day, 25 November (Beijing)
    const categories = fens(svgOf(res.text, 'chart-categories'), 'chart-categories-title', 'rect');
    expect(categories).toEqual(fens(res.text, 'categories-table'));
    expect(categories.reduce((a, b) => a + b, 0)).toBe(paid);
    // Screen readers get the numbers from the description.
    expect(svgOf(res.text, 'chart-months')).toMatch(
      /<svg[^>]*role="img"[^>]*aria-labelledby="chart-months-title chart-months-desc"/,
    );
    expect(svgOf(res.text, 'chart-months')).toContain(
      `11月 ¥${(paid / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    );
  });

  it('serves each chart alone as SVG with an ETag and answers 304 to a current copy', async () => {
    const url = `/public/streets/${chain.call.streetOfficeId}/2026/charts/months.svg`;
    const res = await anon()
      .get(url)
      .buffer(true)
      .parse(asText as never);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    expect(res.body).toContain('<title id="chart-months-title">');
    expect((await anon().get(url).set('If-None-Match', res.headers.etag)).status).toBe(304);
    expect((await anon().get(`/public/streets/${chain.call.streetOfficeId}/2026/charts/pie.svg`)).status).toBe(404);
  });

  it('refuses bad input with 404 or 422 and a clear message, never a 500', async () => {
    const street = chain.call.streetOfficeId;
    const far = await anon().get(`/public/streets/${street}/1999`);
    expect(far.status).toBe(422);
    expect(far.text).toContain('不在可查询的范围内');
    expect((await anon().get(`/public/streets/${street}/2099`)).status).toBe(422);
    expect((await anon().get(`/public/streets/${street}/20x6`)).status).toBe(404);
    const unknown = await anon().get('/public/streets/999999/2026');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('没有找到这个街道');
    expect((await anon().get('/public/streets/abc/2026')).status).toBe(404);
    expect((await anon().get('/public?year=3000')).status).toBe(422);
    expect((await anon().get('/public/contracts?year=abc')).status).toBe(422);
    expect((await anon().get('/public/contracts?street=x&category=abc&page=-1')).status).toBe(200);
  });
});

describe('the district front page', () => {
  it("shows this year's totals across the district and the street offices below the floor, with links to the open data", async () => {
    const res = await anon().get('/public');
    expect(res.status).toBe(200);
    const rows = await ctx.db('fund_accounts').where({ year: 2026 });
    const sum = (k: string) => rows.reduce((s, r) => s + Number(r[k]), 0);
    const [allocated, committed, paid, available] = fens(res.text, 'district-totals', 'dd');
    expect({ allocated, committed, paid }).toEqual({
      allocated: sum('allocated_fen'),
      committed: sum('committed_fen'),
      paid: sum('paid_fen'),
    });
    expect(available).toBe(sum('allocated_fen') - sum('reserved_fen') - sum('committed_fen') - sum('paid_fen'));
    const street = await ctx.db('street_offices').where({ id: chain.call.streetOfficeId }).first();
    const below = res.text.slice(
      res.text.indexOf('id="below-floor"'),
      res.text.indexOf('</ul>', res.text.indexOf('id="below-floor"')),
    );
    expect(below).toContain(street.name);
    expect(res.text).toContain(`/ocds/packages/${street.id}-2026.json`);
    expect(fens(svgOf(res.text, 'chart-streets'), 'chart-streets-title', 'rect').reduce((a, b) => a + b, 0)).toBe(
      sum('allocated_fen'),
    );
  });

  it("shows the audit chain's head (event count and hash) and links to the public checkpoints, writing nothing", async () => {
    const head = await ctx.db('audit_chain_head').where({ id: 1 }).first();
    const events = Number((await ctx.db('audit_events').count({ n: '*' }).first())?.n);
    const res = await anon().get('/public');
    const block = res.text.slice(res.text.indexOf('id="audit-head"'));
    expect(block).toContain(`<dd>${Number(head.last_event_id)}</dd>`);
    expect(block).toContain(head.last_hash);
    expect(res.text).toContain('href="/public/audit-checkpoints"');
    expect(Number((await ctx.db('audit_events').count({ n: '*' }).first())?.n)).toBe(events);
  });
});

describe('the public contract list and page', () => {
  it('lists signed contracts only, with the filters and a link to each contract page', async () => {
    const draft = await draftContract(ctx);
    const draftRow = await ctx.db('contracts').where({ id: draft.contractId }).first();
    const res = await anon().get('/public/contracts');
    expect(res.status).toBe(200);
    expect(res.text).toContain(chain.contract.number);
    expect(res.text).toContain(`/public/contracts/${chain.contractId}`);
    expect(res.text).not.toContain(draftRow.number);
    const street = chain.call.streetOfficeId;
    expect((await anon().get(`/public/contracts?street=${street}&year=2026&status=active`)).text).toContain(
      chain.contract.number,
    );
    expect((await anon().get(`/public/contracts?street=${draft.call.streetOfficeId}`)).text).not.toContain(
      chain.contract.number,
    );
    expect((await anon().get('/public/contracts?status=completed')).text).not.toContain(chain.contract.number);
    expect((await anon().get(`/public/contracts?organization=${chain.contract.organization_id}`)).text).toContain(
      chain.contract.number,
    );
    const category = await ctx
      .db('calls as k')
      .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
      .where('k.id', chain.call.callId)
      .first('ci.category_id');
    // Kept on the contract when it was drafted: the filter reads it from the contract's own index.
    expect(Number(chain.contract.category_id)).toBe(Number(category.category_id));
    expect((await anon().get(`/public/contracts?category=${category.category_id}`)).text).toContain(
      chain.contract.number,
    );
    expect((await anon().get(`/public/contracts?category=${Number(category.category_id) + 1}`)).text).not.toContain(
      chain.contract.number,
    );
    // A draft's page is 404 and shows nothing of it.
    const page = await anon().get(`/public/contracts/${draft.contractId}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('尚未签订');
    expect(page.text).not.toContain(draftRow.number);
  });

  it('shows parties, amount, period, milestones with their evaluation, payments, the PDF, the award notice and the open data', async () => {
    const res = await anon().get(`/public/contracts/${chain.contractId}`);
    expect(res.status).toBe(200);
    const evaluation = await ctx
      .db('milestone_evaluations')
      .where({ contract_id: chain.contractId, milestone_seq: 2 })
      .first();
    expect(res.text).toContain((Number(evaluation.total_score) / 100).toFixed(2));
    expect(res.text).toContain('良好');
    expect(res.text).not.toContain('评审意见：台账基本齐全');
    expect(res.text).toContain(`data-fen="${chain.advanceFen}"`);
    expect(res.text).toContain(`data-fen="${chain.midFen}"`);
    expect(res.text).toContain(`/public/contracts/${chain.contractId}/contract.pdf`);
    expect(res.text).toContain(`/awards/${chain.awardId}`);
    expect(res.text).toContain(`/ocds/releases/ocds-sfdemo-call-${chain.call.callId}.json`);
    expect((await anon().get(`/public/contracts/${chain.contractId}/contract.pdf`)).status).toBe(200);
  });

  it('downloads contracts and payments as CSV with a UTF-8 byte-order mark', async () => {
    const contracts = await anon()
      .get(`/public/contracts.csv?street=${chain.call.streetOfficeId}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(contracts.status).toBe(200);
    expect(contracts.headers['content-type']).toContain('text/csv');
    const text = (contracts.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('合同编号');
    expect(text).toContain(chain.contract.number);
    expect(text).toContain('100000.01');
    const payments = await anon().get(`/public/payments.csv?street=${chain.call.streetOfficeId}`);
    expect(payments.status).toBe(200);
    expect(payments.text).toContain((chain.advanceFen / 100).toFixed(2));
    expect((await anon().get('/public/payments.csv?street=999999')).status).toBe(404);
  });
});

describe("the organization's public registry page", () => {
  it('shows its contracts, what it received, milestones completed on time and its mean evaluation', async () => {
    const res = await anon().get(`/registry/${chain.contract.organization_id}`);
    expect(res.status).toBe(200);
    const block = res.text.slice(res.text.indexOf('id="track-record"'));
    expect(block).toContain(`data-fen="${chain.paidFen}"`);
    expect(block).toContain('1 / 1');
    const evaluation = await ctx
      .db('milestone_evaluations')
      .where({ contract_id: chain.contractId, milestone_seq: 2 })
      .first();
    expect(block).toContain((Number(evaluation.total_score) / 100).toFixed(2));
    expect(res.text.slice(res.text.indexOf('id="org-contracts"'))).toContain(chain.contract.number);
  });
});

describe('anonymous visitors and signed-in users', () => {
  it('50 cookieless views of the public pages write no session row and set no session cookie', async () => {
    const count = async () => Number((await ctx.db('sessions').count({ n: '*' }).first())?.n ?? 0);
    const before = await count();
    const pages = [
      '/public',
      `/public/streets/${chain.call.streetOfficeId}/2026`,
      '/public/contracts',
      `/public/contracts/${chain.contractId}`,
      '/public/contracts.csv',
      `/ocds/releases/ocds-sfdemo-call-${chain.call.callId}.json`,
      '/public/streets/1/1999',
      '/ocds/releases/x.json',
    ];
    for (let i = 0; i < 50; i++) {
      const res = await anon().get(pages[i % pages.length]);
      expect(res.status).toBeLessThan(500);
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('sf.sid=');
    }
    expect(await count()).toBe(before);
  });

  it('a signed-in reader sees the same pages, never cached', async () => {
    const { agent } = await loginAs(ctx, 'reviewer');
    for (const url of [
      '/public',
      `/public/streets/${chain.call.streetOfficeId}/2026`,
      '/public/contracts',
      `/public/contracts/${chain.contractId}`,
    ]) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toContain('no-store');
    }
  });

  it('reads in English too', async () => {
    const res = await anon().get(`/public/streets/${chain.call.streetOfficeId}/2026`).set('Cookie', 'sf.lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('below the ¥2,000,000.00 floor');
  });
});
