import request from 'supertest';
import type { Request, Response } from 'express';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { pageKey } from '../../src/web/kept-pages';
import { walkedChain } from './factory';
import { publishedCall } from '../helpers/chain';

// Issue 14 (speed) and 15: an anonymous visitor's public page is rendered once per version of the
// public data (the audit head, the deadlines passed) and kept; a signed-in user's never is.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
}, 120_000);
afterAll(() => ctx.close());

/** The SQL a request ran. */
async function queriesOf(run: () => Promise<request.Response>) {
  const ran: string[] = [];
  const listen = (q: { sql: string }) => ran.push(q.sql);
  ctx.db.on('query', listen);
  try {
    return { res: await run(), ran };
  } finally {
    ctx.db.off('query', listen);
  }
}
const readsContracts = (ran: string[]) => ran.filter((sql) => /\bcontracts\b/.test(sql));

describe('public pages kept for anonymous visitors', () => {
  it('renders a page once per version of the public data, and again after an audited change', async () => {
    const chain = await walkedChain(ctx);
    const url = `/public/contracts/${chain.contractId}`;
    const first = await queriesOf(() => request(ctx.app).get(url));
    expect(first.res.status).toBe(200);
    expect(readsContracts(first.ran).length).toBeGreaterThan(0);
    const again = await queriesOf(() => request(ctx.app).get(url));
    expect(again.res.status).toBe(200);
    expect(again.res.text).toBe(first.res.text);
    expect(again.res.headers['content-type']).toMatch(/^text\/html/);
    expect(again.res.headers.etag).toBe(first.res.headers.etag);
    expect(again.res.headers['set-cookie']).toBeUndefined();
    // Only the version's two single-row reads: no contract, payment or evaluation is read.
    expect(readsContracts(again.ran)).toEqual([]);
    expect(again.ran.length).toBeLessThanOrEqual(3);

    // A new version (any audited change) renders the page again, with what changed.
    const list = () => request(ctx.app).get('/public/contracts?year=2026');
    const before = await list();
    const other = await walkedChain(ctx);
    const after = await queriesOf(list);
    expect(readsContracts(after.ran).length).toBeGreaterThan(0);
    expect(before.text).not.toContain(other.contract.number);
    expect(after.res.text).toContain(other.contract.number);
  });

  it('keeps one page per address and language', async () => {
    await walkedChain(ctx);
    const zh = await request(ctx.app).get('/public/contracts?year=2026');
    const en = await request(ctx.app).get('/public/contracts?year=2026').set('Cookie', 'sf.lang=en');
    expect(zh.text).toContain('lang="zh-CN"');
    expect(en.text).toContain('lang="en"');
    const enAgain = await queriesOf(() =>
      request(ctx.app).get('/public/contracts?year=2026').set('Cookie', 'sf.lang=en'),
    );
    expect(enAgain.res.text).toBe(en.text);
    expect(readsContracts(enAgain.ran)).toEqual([]);
    // Another query string is another page, read from the database.
    const byStatus = await queriesOf(() => request(ctx.app).get('/public/contracts?year=2026&status=terminated'));
    expect(readsContracts(byStatus.ran).length).toBeGreaterThan(0);
    expect(byStatus.res.text).not.toBe(zh.text);
  });

  it('never gives a signed-in user the kept page, nor keeps theirs for anyone', async () => {
    const chain = await walkedChain(ctx);
    const url = `/public/streets/${chain.call.streetOfficeId}/2026`;
    const { agent } = await loginAs(ctx, 'reviewer');
    // The signed-in view first: had it been kept, the visitor below would get the reviewer's name.
    const signedIn = await queriesOf(() => agent.get(url));
    expect(signedIn.res.text).toContain('who-name');
    const visitor = await request(ctx.app).get(url);
    expect(visitor.text).not.toContain('who-name');
    const signedInAgain = await queriesOf(() => agent.get(url));
    expect(signedInAgain.res.text).toContain('who-name');
    expect(signedInAgain.ran.filter((sql) => /fund_accounts|fund_entries/.test(sql)).length).toBeGreaterThan(0);
    expect(signedInAgain.res.headers['cache-control']).toBe('private, no-store');
  });

  it('answers a refused address as before, and keeps nothing for it', async () => {
    const missing = await request(ctx.app).get('/public/contracts/99999999');
    expect(missing.status).toBe(404);
    const again = await queriesOf(() => request(ctx.app).get('/public/contracts/99999999'));
    expect(again.res.status).toBe(404);
    expect(readsContracts(again.ran).length).toBeGreaterThan(0);
    expect((await request(ctx.app).get('/public/contracts?year=1800')).status).toBe(422);
  });
});

describe('the calls list, kept too', () => {
  it('is rendered again when a deadline passes (no write: the number of deadlines passed is in the version)', async () => {
    ctx.clock.set('2026-11-25T02:00:00.000Z');
    await publishedCall(ctx, { title: '截止前后的项目', closes_at: '2026-11-26T00:00:00.000Z' });
    expect((await request(ctx.app).get('/calls')).text).toContain('截止前后的项目');
    const kept = await queriesOf(() => request(ctx.app).get('/calls'));
    expect(kept.res.text).toContain('截止前后的项目');
    expect(kept.ran.filter((sql) => /from `calls` as `k`|from "calls" as "k"/.test(sql))).toEqual([]);
    ctx.clock.set('2026-11-26T01:00:00.000Z');
    expect((await request(ctx.app).get('/calls')).text).not.toContain('截止前后的项目');
  });
});

describe('pageKey', () => {
  const req = (user?: object) => ({ user, lang: 'zh-CN', originalUrl: '/public?year=2026' }) as unknown as Request;
  const res = (flash: unknown[] = []) => ({ locals: { flash } }) as unknown as Response;
  it('names the language, the address and the version', () => {
    expect(pageKey(req(), res(), '12.3|2026')).toBe('zh-CN|/public?year=2026|12.3|2026');
  });
  it('keeps nothing for a signed-in user or a page with a flash message', () => {
    expect(pageKey(req({ id: 1 }), res(), 'v')).toBeNull();
    expect(pageKey(req(), res([{ type: 'success', text: '已保存' }]), 'v')).toBeNull();
  });
});
