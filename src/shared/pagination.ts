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

/** Rows counted past the current page by paginateBounded: ten pages of 20. Counting costs reading
 *  those rows; with 1,000 a filtered list of the full benchmark set read six times the 1 % set's
 *  rows for the same page (bench/README.md), and "page 3 of at least 13" says enough to go on. */
export const COUNT_WINDOW = 200;

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

/** A list's order for keyset pages: its columns in order, the last one unique (the id), each with the
 *  name it has in the selected rows and how a cursor's text is read back. */
export interface KeyColumn {
  column: string;
  field: string;
  desc?: boolean;
  kind: 'int' | 'iso';
}

/** Where a keyset page starts: after the row with these key values (the next page), or before them
 *  (the previous page). Carried in a link as `after=` or `before=` (parseCursor). */
export type Cursor = { after: (string | number)[] } | { before: (string | number)[] };

export interface KeyedPage<T> extends Page<T> {
  /** The cursor text of the last row, when a page follows; of the first row, when one comes before. */
  nextKey?: string;
  prevKey?: string;
}

const CURSOR_PART: Record<KeyColumn['kind'], RegExp> = {
  int: /^[1-9]\d{0,14}$/,
  iso: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/,
};

/** `after` or `before` from a query string, checked against the key's kinds; anything odd is no
 *  cursor (the page number alone then decides, as a hand-edited link expects). */
export function parseCursor(query: Record<string, unknown>, order: KeyColumn[]): Cursor | undefined {
  for (const side of ['after', 'before'] as const) {
    const text = query[side];
    if (typeof text !== 'string') continue;
    const parts = text.split('_');
    if (parts.length !== order.length || !parts.every((p, i) => CURSOR_PART[order[i].kind].test(p))) return undefined;
    const values = parts.map((p, i) => (order[i].kind === 'int' ? Number(p) : p));
    return side === 'after' ? { after: values } : { before: values };
  }
  return undefined;
}

const cursorOf = (row: Record<string, unknown>, order: KeyColumn[]) => order.map((k) => String(row[k.field])).join('_');

/** Rows strictly after `values` in `order` (or strictly before, reversed), as one OR of prefixes:
 *  (a > x) OR (a = x AND b > y) …, which both databases answer from the order's index. */
function beyond(qb: Knex.QueryBuilder, order: KeyColumn[], values: (string | number)[], forward: boolean) {
  qb.where((outer) => {
    order.forEach((_, i) => {
      outer.orWhere((w) => {
        for (let j = 0; j < i; j++) w.where(order[j].column, values[j]);
        const up = Boolean(order[i].desc) !== forward;
        w.where(order[i].column, up ? '>' : '<', values[i]);
      });
    });
  });
}

/**
 * paginateBounded with keyset links: a page reached by "next" or "previous" starts at its cursor
 * through the order's index, so the 2,500th page costs what the second does (an OFFSET walks every
 * row before it). Without a cursor (the first page, a typed page number) it is paginateBounded.
 * The page number of a cursor link is shown as given; the count reaches `window` rows past the page.
 */
export async function paginateByKey<T extends Record<string, unknown>>(
  base: Knex.QueryBuilder,
  page: number,
  order: KeyColumn[],
  cursor: Cursor | undefined,
  select: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
  pageSize = DEFAULT_PAGE_SIZE,
  window = COUNT_WINDOW,
): Promise<KeyedPage<T>> {
  const ordered = (qb: Knex.QueryBuilder, forward: boolean) => {
    for (const k of order) qb.orderBy(k.column, Boolean(k.desc) === forward ? 'desc' : 'asc');
    return qb;
  };
  const knex = (base as unknown as { client: { queryBuilder(): Knex.QueryBuilder; raw(sql: string): Knex.Raw } })
    .client;
  /** Rows from the start of this page on, counted no further than the window. */
  const countFrom = async (start: (qb: Knex.QueryBuilder) => void) => {
    const inWindow = base.clone().modify(start).clearSelect().select(knex.raw('1 as one')).limit(window);
    const [{ count }] = await knex.queryBuilder().count({ count: '*' }).from(inWindow.as('w'));
    return Number(count);
  };
  const finish = (items: T[], seen: number): KeyedPage<T> => {
    const offset = (page - 1) * pageSize;
    const result: KeyedPage<T> = { ...makePage(items, offset + seen, page, pageSize), more: seen === window };
    if (items.length && seen > items.length) result.nextKey = cursorOf(items[items.length - 1], order);
    if (items.length && page > 1) result.prevKey = cursorOf(items[0], order);
    return result;
  };
  if (cursor && page > 1 && 'after' in cursor) {
    const after = (qb: Knex.QueryBuilder) => beyond(qb, order, cursor.after, true);
    const [seen, items] = await Promise.all([
      countFrom(after),
      ordered(select(base.clone().modify(after)), true).limit(pageSize),
    ]);
    if (items.length) return finish(items as T[], seen);
  }
  if (cursor && page > 1 && 'before' in cursor) {
    const items = (
      (await ordered(select(base.clone().modify((qb) => beyond(qb, order, cursor.before, false))), false).limit(
        pageSize,
      )) as T[]
    ).reverse();
    if (items.length) {
      const first = order.map((k) => items[0][k.field] as string | number);
      // From the page's first row on: that row, and every row after it.
      const seen = await countFrom((qb) =>
        qb.where((w) => {
          w.where((eq) => order.forEach((k, i) => eq.where(k.column, first[i])));
          w.orWhere((after) => beyond(after, order, first, true));
        }),
      );
      return finish(items, seen);
    }
  }
  const plain = await paginateBounded<T>(base, page, (qb) => ordered(select(qb), true), pageSize, window);
  return finish(plain.items, plain.total - (plain.page - 1) * pageSize);
}
