import type { Knex } from 'knex';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
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
  const items = await select(base.clone()).limit(pageSize).offset((page - 1) * pageSize);
  return makePage(items as T[], Number(count), page, pageSize);
}
