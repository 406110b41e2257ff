import { createTestDb, type TestDb } from '../helpers/db';
import { paginate, paginateBounded } from '../../src/shared/pagination';

/** Bounded counts: the same rows as paginate, but never a count of the whole filtered table. */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
  await t.db.schema.createTable('things', (tb) => {
    tb.increments('id');
    tb.integer('n').notNullable();
  });
  const rows = Array.from({ length: 130 }, (_, i) => ({ n: i % 3 }));
  for (let i = 0; i < rows.length; i += 50) await t.db('things').insert(rows.slice(i, i + 50));
});
afterAll(() => t.destroy());

const select = (qb: import('knex').Knex.QueryBuilder) => qb.orderBy('id').select('id');

test('within the window: exact total, same items as paginate', async () => {
  const base = () => t.db('things').where('n', 1);
  const exact = await paginate(base(), 2, select, 10);
  const bounded = await paginateBounded(base(), 2, select, 10, 100);
  expect(bounded).toEqual({ ...exact, more: false });
});

test('past the window: a lower bound and "more", next page still reachable', async () => {
  const p = await paginateBounded(t.db('things'), 1, select, 10, 50);
  expect(p.items.map((r) => (r as { id: number }).id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(p).toMatchObject({ total: 50, more: true, pageCount: 5 });
  const deeper = await paginateBounded(t.db('things'), 10, select, 10, 50);
  expect(deeper).toMatchObject({ total: 130, more: false, pageCount: 13 });
  expect(deeper.items).toHaveLength(10);
});

test('a page past the end counts exactly, like paginate', async () => {
  const p = await paginateBounded(t.db('things'), 40, select, 10, 50);
  expect(p).toMatchObject({ items: [], total: 130, pageCount: 13 });
});
