import { returnedId, type Queryable } from '../../db/knex';

export interface StreetOfficeRow {
  id: number;
  name: string;
  district: string;
  short_code: string | null;
  legal_representative: string | null;
  address: string | null;
  created_at: string;
  updated_at: string;
}

export async function listStreetOffices(db: Queryable): Promise<StreetOfficeRow[]> {
  // A district has tens of street offices, not thousands: one list, ordered, no pagination needed.
  return db<StreetOfficeRow>('street_offices').orderBy('district').orderBy('name');
}

export async function findStreetOffice(db: Queryable, id: number): Promise<StreetOfficeRow | undefined> {
  return db<StreetOfficeRow>('street_offices').where({ id }).first();
}

export async function insertStreetOffice(db: Queryable, row: Omit<StreetOfficeRow, 'id'>): Promise<number> {
  const [inserted] = await db('street_offices').insert(row).returning('id');
  return returnedId(inserted);
}

export async function updateStreetOffice(db: Queryable, id: number, changes: Partial<StreetOfficeRow>): Promise<void> {
  await db('street_offices').where({ id }).update(changes);
}
