import type { Knex } from 'knex';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
  /** Set by paginateBounded when rows go on past the counted window: `total` is then a lower bound. */
  more?: boolean;
}

export const DEFAULT_PAGE_SIZE = 20;

/** ?page=3 -> 3; anything odd (array, 0, "x", huge) -> 1 rather than an error. */
export function pageNumber(input: unknown): number {
  const n = typeof input === 'string' ? Number(input) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 100000 ? n : 1;
}

export function makePage<T>(items: T[], total: number, page: number, pageSize = DEFAULT_PAGE_SIZE): Page<T> {
  return { items, page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Counts the rows of `base` and reads one page of them; `select` adds the joins, order and columns.
 *  The same two queries on SQLite and PostgreSQL, whatever the page. */
export async function paginate<T>(
  base: Knex.QueryBuilder,
  page: number,
  select: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<Page<T>> {
  const [{ count }] = await base.clone().count({ count: '*' });
  const items = await select(base.clone())
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return makePage(items as T[], Number(count), page, pageSize);
}

/** Rows counted past the current page by paginateBounded: 50 pages of 20. */
export const COUNT_WINDOW = 1000;

/**
 * Like paginate, but counts no further than `window` rows past the page's start, so a hot list over a
 * large table never counts the whole filtered table: the cost is that of reading the page itself.
 * The page knows "at least N" (`more`) when the window fills; a page past the end counts exactly.
 */
export async function paginateBounded<T>(
  base: Knex.QueryBuilder,
  page: number,
  select: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
  pageSize = DEFAULT_PAGE_SIZE,
  window = COUNT_WINDOW,
): Promise<Page<T>> {
  const offset = (page - 1) * pageSize;
  // The query's own client (a transaction's or the pool's), for the outer count.
  const knex = (base as unknown as { client: { queryBuilder(): Knex.QueryBuilder; raw(sql: string): Knex.Raw } })
    .client;
  const inWindow = base.clone().clearSelect().select(knex.raw('1 as one')).limit(window).offset(offset);
  const [{ count }] = await knex.queryBuilder().count({ count: '*' }).from(inWindow.as('w'));
  const seen = Number(count);
  if (seen === 0 && page > 1) return paginate(base, page, select, pageSize);
  const items = seen === 0 ? [] : await select(base.clone()).limit(pageSize).offset(offset);
  return { ...makePage(items as T[], offset + seen, page, pageSize), more: seen === window };
}
