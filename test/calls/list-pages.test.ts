import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { catalogItem, publishedCall } from '../helpers/chain';

// Issue 15: the calls list's "next" and "previous" links carry the cursor of their page's edge
// (deadline and id), so a deep page starts at its cursor instead of walking every call before it.
// Following them gives the same calls, in the same order, as the page numbers do.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
}, 120_000);
afterAll(() => ctx.close());

const idsOn = (html: string) => [...html.matchAll(/href="\/calls\/(\d+)"/g)].map((m) => Number(m[1]));
const link = (html: string, rel: 'next' | 'prev') =>
  new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(html)?.[1].replace(/&amp;/g, '&');

it('walks the open calls by cursor through the same pages as the page numbers, both ways', async () => {
  const street = await ctx.make.streetOffice();
  const item = await catalogItem(ctx);
  // 47 open calls, many sharing a deadline: the id orders those.
  for (let i = 0; i < 47; i++)
    await publishedCall(ctx, {
      street_office_id: street.id,
      catalog_item_id: item.id,
      title: `第${i}号服务项目`,
      closes_at: `2027-01-${String(10 + (i % 4)).padStart(2, '0')}T09:00:00.000Z`,
    });
  const base = `/calls?street=${street.id}`;
  const byNumber: number[][] = [];
  for (let page = 1; page <= 3; page++) byNumber.push(idsOn((await request(ctx.app).get(`${base}&page=${page}`)).text));
  expect(byNumber.map((p) => p.length)).toEqual([20, 20, 7]);

  const byCursor: number[][] = [];
  let html = (await request(ctx.app).get(base)).text;
  byCursor.push(idsOn(html));
  const hrefs: string[] = [];
  for (let next = link(html, 'next'); next; next = link(html, 'next')) {
    expect(next).toMatch(/[?&]page=\d+&after=2027-01-\d\dT09:00:00\.000Z_\d+$/);
    hrefs.push(next);
    const res = await request(ctx.app).get(`/calls${next}`);
    expect(res.status).toBe(200);
    html = res.text;
    byCursor.push(idsOn(html));
  }
  expect(byCursor).toEqual(byNumber);
  expect(html).toContain('第 3 / 3 页');
  // Back from the last page: the second page by its "previous" cursor, the first by its number.
  const prev = link(html, 'prev')!;
  expect(prev).toMatch(/page=2&before=/);
  html = (await request(ctx.app).get(`/calls${prev}`)).text;
  expect(idsOn(html)).toEqual(byNumber[1]);
  expect(link(html, 'prev')).toMatch(/page=1$/);
  // A forged cursor is no cursor: the page number decides.
  const odd = await request(ctx.app).get(`${base}&page=2&after=1'%20OR%201=1`);
  expect(odd.status).toBe(200);
  expect(idsOn(odd.text)).toEqual(byNumber[1]);
});
