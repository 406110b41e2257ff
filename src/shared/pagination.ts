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
