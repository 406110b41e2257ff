import type { Queryable } from '../../db/knex';
import { NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';

/** Who reads reports: auditors (the street offices assigned to them, or the whole district), the
 *  street office's managers (their own street only) and the district administrator (all). */
export const REPORT_READERS = ['auditor', 'manager', 'admin'] as const;

/** The street offices whose reports the user may read, in id order. */
export async function readableStreetIds(db: Queryable, user: SessionUser): Promise<number[]> {
  if (user.role === 'admin') return (await db('street_offices').orderBy('id').pluck('id')).map(Number);
  if (user.role === 'auditor') return [...user.streetOfficeIds].sort((a, b) => a - b);
  if (user.role === 'manager' && user.streetOfficeId) return [user.streetOfficeId];
  return [];
}

export interface Scope {
  /** The street offices the report covers. */
  streetOfficeIds: number[];
  /** One street office asked for, or all the reader may read. */
  street: number | 'all';
  streets: { id: number; name: string }[];
}

/**
 * One street office (which must be the reader's: otherwise 404, as if it did not exist, so an auditor
 * cannot find out which ids are street offices) or all of the reader's.
 */
export async function resolveScope(db: Queryable, user: SessionUser, street: number | 'all'): Promise<Scope> {
  const readable = await readableStreetIds(db, user);
  if (street !== 'all' && !readable.includes(street)) throw new NotFound('reports.errors.streetNotAssigned');
  const ids = street === 'all' ? readable : [street];
  const streets = ids.length
    ? ((await db('street_offices').whereIn('id', ids).orderBy('id').select('id', 'name')) as {
        id: number;
        name: string;
      }[])
    : [];
  return { streetOfficeIds: ids, street, streets: streets.map((s) => ({ id: Number(s.id), name: s.name })) };
}

/** A finding is recorded by an auditor of its street office (the only thing an auditor writes). */
export const canRecordFinding = (user: SessionUser, streetOfficeId: number) =>
  user.role === 'auditor' && user.streetOfficeIds.includes(streetOfficeId);

/** A finding is answered by a manager of its street office. */
export const canAnswerFinding = (user: SessionUser, streetOfficeId: number) =>
  user.role === 'manager' && user.streetOfficeId === streetOfficeId;

/** A finding is read by its street office's managers, the auditors of that street and the administrator. */
export const canReadFinding = (user: SessionUser, streetOfficeId: number) =>
  user.role === 'admin' || canRecordFinding(user, streetOfficeId) || canAnswerFinding(user, streetOfficeId);
