import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../helpers/db';
import {
  COUNT_WINDOW,
  paginateBounded,
  paginateByKey,
  parseCursor,
  type KeyColumn,
  type KeyedPage,
} from '../../src/shared/pagination';

/** Keyset pages: following "next" and "previous" gives exactly the pages an OFFSET gives, in both
 *  orders, with ties in the first key column. */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
  await t.db.schema.createTable('things', (tb) => {
    tb.increments('id');
    tb.string('at').notNullable();
    tb.integer('n').notNullable();
  });
  // 97 rows; `at` repeats (seven rows share each time), so the id must break the ties.
  const rows = Array.from({ length: 97 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 0, 1 + ((i * 5) % 14))).toISOString(),
    n: i % 3,
  }));
  for (let i = 0; i < rows.length; i += 50) await t.db('things').insert(rows.slice(i, i + 50));
});
afterAll(() => t.destroy());

const BY_TIME: KeyColumn[] = [
  { column: 'at', field: 'at', kind: 'iso' },
  { column: 'id', field: 'id', kind: 'int' },
];
const NEWEST: KeyColumn[] = [{ column: 'id', field: 'id', desc: true, kind: 'int' }];
const ids = (p: { items: Record<string, unknown>[] }) => p.items.map((r) => Number(r.id));
const select = (qb: Knex.QueryBuilder) => qb.select('id', 'at');

/** The pages an OFFSET gives, for comparison. */
async function offsetPages(base: () => Knex.QueryBuilder, order: KeyColumn[], size: number) {
  const pages: number[][] = [];
  for (let page = 1; ; page++) {
    const p = await paginateBounded<Record<string, unknown>>(
      base(),
      page,
      (qb) => {
        for (const k of order) qb.orderBy(k.column, k.desc ? 'desc' : 'asc');
        return select(qb);
      },
      size,
    );
    if (!p.items.length) return pages;
    pages.push(ids(p));
  }
}

describe.each([
  ['time, then id', BY_TIME],
  ['newest first', NEWEST],
])('ordered by %s', (_name, order) => {
  const base = () => t.db('things').where('n', '<', 2);
  const size = 7;

  it('walks forward by "next" and back by "previous" through the same pages as OFFSET', async () => {
    const expected = await offsetPages(base, order, size);
    expect(expected.length).toBeGreaterThan(5);
    const seen: number[][] = [];
    let p: KeyedPage<Record<string, unknown>> = await paginateByKey(base(), 1, order, undefined, select, size);
    for (;;) {
      seen.push(ids(p));
      expect(p.total).toBe(Math.min(expected.flat().length, (p.page - 1) * size + COUNT_WINDOW));
      if (!p.nextKey) break;
      p = await paginateByKey(base(), p.page + 1, order, parseCursor({ after: p.nextKey }, order), select, size);
    }
    expect(seen).toEqual(expected);
    // And back from the last page to the second.
    const back: number[][] = [];
    while (p.page > 1 && p.prevKey) {
      p = await paginateByKey(base(), p.page - 1, order, parseCursor({ before: p.prevKey }, order), select, size);
      back.unshift(ids(p));
    }
    expect(back).toEqual(expected.slice(0, expected.length - 1));
  });

  it('counts no further than the window from a cursor, and says there is more', async () => {
    const first = await paginateByKey(base(), 1, order, undefined, select, 5, 20);
    const second = await paginateByKey(base(), 2, order, parseCursor({ after: first.nextKey }, order), select, 5, 20);
    expect(second).toMatchObject({ page: 2, total: 25, more: true });
    expect(second.items).toHaveLength(5);
  });
});

describe('cursors from a link', () => {
  it('reads a well-formed cursor and ignores anything else (the page number alone then decides)', () => {
    expect(parseCursor({ after: '2026-01-03T00:00:00.000Z_12' }, BY_TIME)).toEqual({
      after: ['2026-01-03T00:00:00.000Z', 12],
    });
    expect(parseCursor({ before: '40' }, NEWEST)).toEqual({ before: [40] });
    for (const after of ['', '0', '-1', '1e3', '12_3', "1' OR 1=1", 'x'.repeat(40)])
      expect(parseCursor({ after }, NEWEST)).toBeUndefined();
    expect(parseCursor({ after: ['1', '2'] }, NEWEST)).toBeUndefined();
    expect(parseCursor({ after: '2026-01-03_12' }, BY_TIME)).toBeUndefined();
    expect(parseCursor({}, NEWEST)).toBeUndefined();
  });

  it('falls back to the page number when a cursor finds nothing (a stale or hand-made link)', async () => {
    const p = await paginateByKey(t.db('things'), 2, NEWEST, { after: [1] }, select, 10);
    const plain = await paginateByKey(t.db('things'), 2, NEWEST, undefined, select, 10);
    expect(ids(p)).toEqual(ids(plain));
  });
});
