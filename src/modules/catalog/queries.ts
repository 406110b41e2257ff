import type { Queryable } from '../../db/knex';
import { paginateBounded, type Page } from '../../shared/pagination';
import type { ItemStatus, ProcurementMethod } from './schemas';

export interface CatalogItemRow {
  id: number;
  category_id: number;
  street_office_id: number | null;
  year: number;
  code: string;
  name: string;
  description: string;
  service_standard: string;
  unit: string;
  guidance_price_fen: number;
  methods: string;
  status: ItemStatus;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface CatalogItemView extends CatalogItemRow {
  category_code: string;
  category_name_zh: string;
  category_name_en: string;
  street_office_name: string | null;
}

export interface CategoryRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  sort_order: number;
}

export interface CatalogFilters {
  categoryId?: number;
  year?: number;
  q?: string;
  status?: ItemStatus;
  streetOfficeId?: number;
  method?: ProcurementMethod;
}

const VIEW_COLUMNS = [
  'i.*',
  'c.code as category_code',
  'c.name_zh as category_name_zh',
  'c.name_en as category_name_en',
  's.name as street_office_name',
];

function viewQuery(db: Queryable) {
  return db('catalog_items as i')
    .join('service_categories as c', 'c.id', 'i.category_id')
    .leftJoin('street_offices as s', 's.id', 'i.street_office_id');
}

/** LIKE with % and _ taken literally; `escape '\'` compiles the same on SQLite and PostgreSQL. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listCategories(db: Queryable): Promise<CategoryRow[]> {
  return db<CategoryRow>('service_categories').orderBy('sort_order');
}

export async function findCategory(db: Queryable, id: number): Promise<CategoryRow | undefined> {
  return db<CategoryRow>('service_categories').where({ id }).first();
}

export async function listItems(db: Queryable, filters: CatalogFilters, page: number): Promise<Page<CatalogItemView>> {
  const base = viewQuery(db).modify((qb) => {
    if (filters.categoryId) qb.where('i.category_id', filters.categoryId);
    if (filters.year) qb.where('i.year', filters.year);
    if (filters.status) qb.where('i.status', filters.status);
    if (filters.streetOfficeId) qb.where('i.street_office_id', filters.streetOfficeId);
    if (filters.method) qb.where('i.methods', 'like', likePattern(filters.method));
    if (filters.q) {
      const like = likePattern(filters.q);
      qb.where((w) =>
        w
          .whereRaw("i.name like ? escape '\\'", [like])
          .orWhereRaw("i.description like ? escape '\\'", [like])
          .orWhereRaw("lower(i.code) like ? escape '\\'", [like.toLowerCase()]),
      );
    }
  });
  return paginateBounded<CatalogItemView>(base, page, (qb) =>
    qb.orderBy('i.year', 'desc').orderBy('c.sort_order').orderBy('i.code').select(VIEW_COLUMNS),
  );
}

export async function findItem(db: Queryable, id: number): Promise<CatalogItemView | undefined> {
  return viewQuery(db).where('i.id', id).first(VIEW_COLUMNS);
}

/** The years that have items, newest first, for the year filter. */
export async function catalogYears(db: Queryable): Promise<number[]> {
  const rows = await db('catalog_items').distinct('year').orderBy('year', 'desc');
  return rows.map((r) => Number(r.year));
}

/** Active items a street office may draft calls from (its own and district-wide), for a select list. */
export async function usableItems(db: Queryable, streetOfficeId: number): Promise<CatalogItemView[]> {
  return viewQuery(db)
    .where('i.status', 'active')
    .where((w) => w.whereNull('i.street_office_id').orWhere('i.street_office_id', streetOfficeId))
    .orderBy('i.year', 'desc')
    .orderBy('i.code')
    .limit(500)
    .select(VIEW_COLUMNS);
}
