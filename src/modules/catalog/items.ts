import type { Queryable } from '../../db/knex';

/** What a call checks of its catalogue item: whose it is, whether it is active, its methods, year and category. */
export interface ItemState {
  id: number;
  street_office_id: number | null;
  status: string;
  methods: string;
  year: number;
  category_id: number;
}

/** One item's state, for other modules (a call drafted or published on it); inside their transaction when given one. */
export async function itemState(db: Queryable, id: number): Promise<ItemState | undefined> {
  return db('catalog_items').where({ id }).first('id', 'street_office_id', 'status', 'methods', 'year', 'category_id');
}
