import type { Queryable } from '../../db/knex';
import {
  ANNUAL_FLOOR_FEN,
  FUND_SOURCES,
  districtYearTotals,
  shanghaiYear,
  overview,
  paidByContractOfStreetYear,
  paidByMonthOfStreetYear,
  streetYearSummary,
  type FundRow,
  type FundSource,
} from '../funds';
import { publicPaidByCategory } from '../contracts';

/**
 * The reads of the public pages. Money comes from the funds module's interface (balances, the
 * payment ledger), contracts from the contracts module's public view. Street offices, service
 * categories and calls have no index.ts of their own yet, so the few plain lookups of their public
 * columns (name, district, category names) are here, read-only, and named as such.
 */

export interface StreetOffice {
  id: number;
  name: string;
  district: string;
  short_code: string | null;
}

/** Public columns of the street offices (streets module has no index.ts yet). */
export async function streetOffices(db: Queryable): Promise<StreetOffice[]> {
  const rows = await db('street_offices')
    .orderBy(['district', 'name', 'id'])
    .select('id', 'name', 'district', 'short_code');
  return rows.map((r: StreetOffice) => ({ ...r, id: Number(r.id) }));
}

export async function streetOffice(db: Queryable, id: number): Promise<StreetOffice | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0 || id >= 2 ** 31) return undefined;
  const r = await db('street_offices').where({ id }).first('id', 'name', 'district', 'short_code');
  return r ? { ...r, id: Number(r.id) } : undefined;
}

export interface Category {
  id: number;
  name_zh: string;
  name_en: string;
}

/** The service categories (public reference data of the catalogue), in their order. */
export async function serviceCategories(db: Queryable): Promise<Category[]> {
  const rows = await db('service_categories').orderBy(['sort_order', 'id']).select('id', 'name_zh', 'name_en');
  return rows.map((r: Category) => ({ ...r, id: Number(r.id) }));
}

export interface StreetYearReport {
  street: StreetOffice;
  year: number;
  bySource: (FundRow & { source: FundSource })[];
  total: FundRow;
  floorFen: number;
  belowFloor: boolean;
  /** Paid per Beijing month of the payment (index 0 = January), reversals subtracted in their own month. */
  paidByMonth: number[];
  /** Paid per service category of the contract paid; categories with nothing paid are left out. */
  paidByCategory: { categoryId: number; nameZh: string; nameEn: string; paidFen: number }[];
}

const ZERO: FundRow = {
  allocated: 0,
  reserved: 0,
  committed: 0,
  paid: 0,
  available: 0,
  prev_allocated: 0,
  growth: 0,
  growth_bp: null,
};

/** A street-year's public figures: three grouped statements (balances per source, paid per Beijing
 *  month, paid per category of the contract), each answered from an index; nothing per entry in JS. */
export async function streetYearReport(db: Queryable, street: StreetOffice, year: number): Promise<StreetYearReport> {
  const [summary, paidByMonth, byCategory] = await Promise.all([
    streetYearSummary(db, street.id, year),
    paidByMonthOfStreetYear(db, street.id, year),
    publicPaidByCategory(db, paidByContractOfStreetYear(db, street.id, year)),
  ]);
  const bySource = FUND_SOURCES.map((s) => ({ ...ZERO, ...(summary.find((r) => r.source === s) ?? {}), source: s }));
  const total = summary.find((r) => r.source === 'total') ?? ZERO;
  // Entries on no contract, or on one the public may not see, are "other" (key 0).
  const paidByCategory = byCategory
    .map((c) => ({
      categoryId: c.categoryId ?? 0,
      nameZh: c.categoryId === null ? '其他' : (c.nameZh ?? ''),
      nameEn: c.categoryId === null ? 'Other' : (c.nameEn ?? ''),
      paidFen: c.paidFen,
    }))
    .filter((c) => c.paidFen !== 0)
    .sort((a, b) => a.categoryId - b.categoryId);
  return {
    street,
    year,
    bySource,
    total,
    floorFen: ANNUAL_FLOOR_FEN,
    belowFloor: total.allocated < ANNUAL_FLOOR_FEN,
    paidByMonth,
    paidByCategory,
  };
}

export interface DistrictReport {
  year: number;
  totals: Awaited<ReturnType<typeof districtYearTotals>>;
  floorFen: number;
  streets: Awaited<ReturnType<typeof overview>>['items'];
}

/** This year's totals across the district and every street office's row (the front page; street offices are tens, not thousands). */
export async function districtReport(db: Queryable, year: number): Promise<DistrictReport> {
  const [totals, grid] = await Promise.all([
    districtYearTotals(db, year),
    overview(db, { streetIds: null, currentYear: year, year }, 1, 500),
  ]);
  return { year, totals, floorFen: ANNUAL_FLOOR_FEN, streets: grid.items };
}

export { shanghaiYear };
