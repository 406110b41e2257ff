import type { Queryable } from '../../db/knex';
import type { SessionUser } from '../accounts/roles';

/** Small counts for the landing page of each role. Each is one grouped query, not one per row. */
export async function usersByRole(db: Queryable): Promise<Record<string, number>> {
  const rows: { role: string; n: number | string }[] = await db('users')
    .whereNull('disabled_at')
    .groupBy('role')
    .select('role')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [String(r.role), Number(r.n)]));
}

export async function organizationsByStatus(db: Queryable): Promise<Record<string, number>> {
  const rows: { status: string; n: number | string }[] = await db('organizations')
    .groupBy('status')
    .select('status')
    .count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

export async function streetColleagues(db: Queryable, user: SessionUser) {
  if (!user.streetOfficeId) return [];
  return db('users')
    .where({ street_office_id: user.streetOfficeId })
    .whereNull('disabled_at')
    .orderBy('role')
    .orderBy('display_name')
    .limit(50)
    .select('display_name', 'role');
}

export async function streetNames(db: Queryable, ids: number[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db('street_offices').whereIn('id', ids).orderBy('name').select('name');
  return rows.map((r) => r.name);
}
