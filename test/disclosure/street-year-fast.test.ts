import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { paidByContractOfStreetYear, paidByMonthOfStreetYear } from '../../src/modules/funds';
import { publicPaidByCategory } from '../../src/modules/contracts';
import { walkedChain } from './factory';

// Issue 15: the street-year page groups in SQL (per Beijing month, per category) and a visitor's
// repeat view is a 304 while nothing public changed.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
}, 120_000);
afterAll(() => ctx.close());

describe('paid per Beijing month, grouped in the database', () => {
  it('puts each entry in the month of its Beijing time and subtracts a reversal in its own month', async () => {
    await walkedChain(ctx); // an award item for the reversal to name
    const item = await ctx.db('award_items').first('id');
    const street = await ctx.make.streetOffice();
    const entry = (kind: string, amount: number, at: string, more: Record<string, unknown> = {}) => ({
      street_office_id: street.id,
      year: 2026,
      source: 'fiscal',
      kind,
      amount_fen: amount,
      created_at: at,
      ...more,
    });
    await ctx.db('fund_entries').insert([
      entry('payment', 100, '2026-01-31T15:59:59.999Z'), // 23:59:59 on 31 January in Beijing
      entry('payment', 2_000, '2026-01-31T16:00:00.000Z', { award_item_id: item.id }), // midnight, 1 February in Beijing
      entry('payment', 30_000, '2026-12-31T15:00:00.000Z'), // 23:00 on 31 December
      entry('allocation', 9_999_999, '2026-03-01T02:00:00.000Z'), // not a payment: not counted
    ]);
    const paid = await ctx.db('fund_entries').where({ street_office_id: street.id, amount_fen: 2_000 }).first('id');
    await ctx.db('fund_entries').insert(
      entry('payment_reversal', 500, '2026-02-10T02:00:00.000Z', {
        reverses_entry_id: paid.id,
        award_item_id: item.id,
      }),
    );
    const months = await paidByMonthOfStreetYear(ctx.db, street.id, 2026);
    expect(months).toEqual([100, 1_500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30_000]);
    expect(await paidByMonthOfStreetYear(ctx.db, street.id, 2025)).toEqual(Array(12).fill(0));
    // Entries naming no contract are one group, which the public page shows as "other".
    expect(await publicPaidByCategory(ctx.db, paidByContractOfStreetYear(ctx.db, street.id, 2026))).toEqual([
      { categoryId: null, nameZh: null, nameEn: null, paidFen: 31_600 },
    ]);
  });
});

describe('the street-year page', () => {
  it("answers a visitor's current copy with 304, and the new figures once anything public changed", async () => {
    const chain = await walkedChain(ctx);
    const url = `/public/streets/${chain.call.streetOfficeId}/2026`;
    const first = await request(ctx.app).get(url);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBeTruthy();
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    // The language is a cookie: shared caches keep one copy per cookie, never one reader's for another.
    expect(first.headers.vary).toMatch(/\bCookie\b/);
    const ran: string[] = [];
    const listen = (q: { sql: string }) => ran.push(q.sql);
    ctx.db.on('query', listen);
    const again = await request(ctx.app).get(url).set('If-None-Match', first.headers.etag);
    ctx.db.off('query', listen);
    expect(again.status).toBe(304);
    expect(again.text).toBeFalsy();
    // Answered before the report is read (not by Express comparing a rendered page's hash).
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.filter((sql) => /fund_entries|fund_accounts/.test(sql))).toEqual([]);
    // Another language is another representation.
    const en = await request(ctx.app).get(url).set('Cookie', 'sf.lang=en');
    expect(en.headers.etag).not.toBe(first.headers.etag);
    await walkedChain(ctx); // audited changes move the version
    const after = await request(ctx.app).get(url).set('If-None-Match', first.headers.etag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(first.headers.etag);
  });

  it('is always rendered for a signed-in user (their name and menu, never stored)', async () => {
    const chain = await walkedChain(ctx);
    const url = `/public/streets/${chain.call.streetOfficeId}/2026`;
    const etag = (await request(ctx.app).get(url)).headers.etag;
    const { agent } = await loginAs(ctx, 'reviewer');
    const res = await agent.get(url).set('If-None-Match', etag);
    expect(res.status).toBe(200);
    expect(res.text).toContain('who-name');
    expect(res.headers.etag).not.toBe(etag);
    expect(res.headers['cache-control']).toBe('private, no-store');
  });
});
