import { returnedId, type Queryable } from '../../db/knex';
import { paginate, type Page } from '../../shared/pagination';
import type { Role, SessionUser } from './roles';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  street_office_id: number | null;
  organization_id: number | null;
  disabled_at: string | null;
  must_change_password?: boolean | number;
  created_at: string;
  updated_at: string;
}

export interface UserListRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  street_office_name: string | null;
  organization_name: string | null;
  disabled_at: string | null;
}

export async function findUserByUsername(db: Queryable, username: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ username: username.toLowerCase() }).first();
}

export async function findUserById(db: Queryable, id: number): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

/** The user as a request sees them; undefined when missing or disabled. Two queries at most. */
export async function loadSessionUser(db: Queryable, id: number): Promise<SessionUser | undefined> {
  const row = await db('users as u')
    .leftJoin('street_offices as s', 's.id', 'u.street_office_id')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .leftJoin('second_factors as f', (j) => j.on('f.user_id', 'u.id').andOnNotNull('f.confirmed_at'))
    .where('u.id', id)
    .whereNull('u.disabled_at')
    .first(
      'u.id',
      'u.username',
      'u.display_name',
      'u.role',
      'u.street_office_id',
      'u.organization_id',
      's.name as street_office_name',
      'o.name as organization_name',
      'u.must_change_password',
      'f.id as second_factor_id',
    );
  if (!row) return undefined;
  const wholeDistrict = row.role === 'auditor' && (await hasDistrictScope(db, row.id));
  const streetOfficeIds =
    row.role === 'auditor'
      ? wholeDistrict
        ? (await db('street_offices').orderBy('id').pluck('id')).map(Number)
        : await assignedAuditStreets(db, row.id)
      : row.street_office_id
        ? [Number(row.street_office_id)]
        : [];
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    streetOfficeId: row.street_office_id === null ? null : Number(row.street_office_id),
    streetOfficeName: row.street_office_name ?? null,
    organizationId: row.organization_id === null ? null : Number(row.organization_id),
    organizationName: row.organization_name ?? null,
    streetOfficeIds,
    mustChangePassword: Boolean(row.must_change_password),
    secondFactorEnrolled: row.second_factor_id !== null && row.second_factor_id !== undefined,
    ...(wholeDistrict ? { wholeDistrict: true } : {}),
  };
}

export async function auditorStreetOfficeIds(db: Queryable, userId: number): Promise<number[]> {
  // "The whole district" (auditor_district_scopes, owned by this module, see README.md): every street office.
  if (await hasDistrictScope(db, userId)) return (await db('street_offices').orderBy('id').pluck('id')).map(Number);
  return assignedAuditStreets(db, userId);
}

/** The street offices assigned to an auditor by name (user_street_offices), whatever the district flag. */
export async function assignedAuditStreets(db: Queryable, userId: number): Promise<number[]> {
  const rows = await db('user_street_offices')
    .where({ user_id: userId })
    .orderBy('street_office_id')
    .select('street_office_id');
  return rows.map((r) => Number(r.street_office_id));
}

/** An auditor assigned "the whole district" (a row in auditor_district_scopes). */
export async function hasDistrictScope(db: Queryable, userId: number): Promise<boolean> {
  return Boolean(await db('auditor_district_scopes').where({ user_id: userId }).first('user_id'));
}

export interface UserFilters {
  q?: string;
  role?: Role;
}

export async function listUsers(db: Queryable, filters: UserFilters, page: number): Promise<Page<UserListRow>> {
  const base = db('users as u')
    .leftJoin('street_offices as s', 's.id', 'u.street_office_id')
    .leftJoin('organizations as o', 'o.id', 'u.organization_id')
    .modify((qb) => {
      if (filters.role) qb.where('u.role', filters.role);
      if (filters.q) {
        const like = `%${filters.q.toLowerCase()}%`;
        qb.where((w) =>
          w.whereRaw('lower(u.username) like ?', [like]).orWhere('u.display_name', 'like', `%${filters.q}%`),
        );
      }
    });
  return paginate<UserListRow>(base, page, (qb) =>
    qb
      .orderBy('u.username')
      .select(
        'u.id',
        'u.username',
        'u.display_name',
        'u.role',
        'u.disabled_at',
        's.name as street_office_name',
        'o.name as organization_name',
      ),
  );
}

export async function insertUser(db: Queryable, row: Omit<UserRow, 'id'>): Promise<number> {
  const [inserted] = await db('users').insert(row).returning('id');
  return returnedId(inserted);
}

export async function updateUser(db: Queryable, id: number, changes: Partial<UserRow>): Promise<void> {
  await db('users').where({ id }).update(changes);
}

export async function replaceAuditorStreets(db: Queryable, userId: number, streetOfficeIds: number[]): Promise<void> {
  await db('user_street_offices').where({ user_id: userId }).delete();
  if (streetOfficeIds.length) {
    await db('user_street_offices').insert(streetOfficeIds.map((id) => ({ user_id: userId, street_office_id: id })));
  }
}

/**
 * Signs a user out everywhere, or everywhere but `exceptSid` (the session that changed the password).
 * The session JSON holds {"passport":{"user":<id>}}; match that exact fragment, same on both databases.
 * Returns how many sessions ended.
 */
export async function deleteSessionsOf(db: Queryable, userId: number, exceptSid?: string): Promise<number> {
  return db('sessions')
    .whereRaw('CAST(sess AS TEXT) LIKE ?', [`%"passport":{"user":${userId}}%`])
    .modify((qb) => {
      if (exceptSid) qb.whereNot('sid', exceptSid);
    })
    .delete();
}
