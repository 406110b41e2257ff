import type { AppDeps } from '../../deps';
import { auditedTransaction, recordAudit, type Actor } from '../../audit/audit';
import { InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import { isUniqueViolation } from '../../db/errors';
import * as repo from './queries';
import { hashPassword, verifyPasswordOrDummy } from './passwords';
import type { CreateUserInput, UpdateUserInput } from './schemas';
import type { Role } from './roles';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export type SignInResult = { ok: true; userId: number } | { ok: false; reason: 'invalid' | 'disabled' };

/** Checks a password and writes the audit event for the attempt, whatever its outcome. */
export async function authenticate(
  deps: Deps,
  username: string,
  password: string,
  actor: Actor,
): Promise<SignInResult> {
  const user = await repo.findUserByUsername(deps.db, username);
  const matches = await verifyPasswordOrDummy(password, user?.password_hash, deps.config.bcryptRounds);
  const now = deps.clock.now();
  let result: SignInResult;
  if (!user || !matches) result = { ok: false, reason: 'invalid' };
  else if (user.disabled_at) result = { ok: false, reason: 'disabled' };
  else result = { ok: true, userId: user.id };
  await deps.db.transaction((trx) =>
    recordAudit(
      trx,
      user && result.ok ? { ...actor, userId: user.id, label: user.username, role: user.role } : actor,
      {
        action: result.ok ? 'auth.sign_in' : 'auth.sign_in_failed',
        subjectType: 'user',
        subjectId: user?.id ?? null,
        streetOfficeId: user?.street_office_id ?? null,
        organizationId: user?.organization_id ?? null,
        // Never the password; the username typed is what an investigator needs.
        after: result.ok ? undefined : { username: username.slice(0, 64), reason: result.reason },
      },
      now,
    ),
  );
  return result;
}

export async function recordSignOut(deps: Deps, actor: Actor, userId: number): Promise<void> {
  await deps.db.transaction((trx) =>
    recordAudit(trx, actor, { action: 'auth.sign_out', subjectType: 'user', subjectId: userId }, deps.clock.now()),
  );
}

interface Scope {
  street_office_id: number | null;
  organization_id: number | null;
  auditStreets: number[];
}

/** Which scope a role needs: a manager belongs to one street office, staff to one organization, etc. */
async function checkScope(deps: Deps, role: Role, input: UpdateUserInput, wholeDistrict = false): Promise<Scope> {
  const errors: Record<string, string> = {};
  const scope: Scope = { street_office_id: null, organization_id: null, auditStreets: [] };
  if (role === 'manager' || role === 'approver') {
    if (!input.streetOfficeId) errors.streetOfficeId = 'validation.streetOfficeRequired';
    scope.street_office_id = input.streetOfficeId;
  } else if (role === 'org_staff') {
    if (!input.organizationId) errors.organizationId = 'validation.organizationRequired';
    scope.organization_id = input.organizationId;
  } else if (role === 'reviewer') {
    // A reviewer may be affiliated with an organization: they are then never allowed to score its bids.
    scope.organization_id = input.organizationId;
  } else if (role === 'auditor') {
    // An auditor of the whole district (set on the audit-scope page) needs no street named here.
    if (!input.auditStreetOfficeIds.length && !wholeDistrict)
      errors.auditStreetOfficeIds = 'validation.auditStreetsRequired';
    scope.auditStreets = input.auditStreetOfficeIds;
  }
  const [streets, orgs] = await Promise.all([
    deps
      .db('street_offices')
      .whereIn('id', [scope.street_office_id ?? 0, ...scope.auditStreets])
      .select('id'),
    deps
      .db('organizations')
      .where({ id: scope.organization_id ?? 0 })
      .select('id'),
  ]);
  const known = new Set(streets.map((s) => Number(s.id)));
  if (scope.street_office_id && !known.has(scope.street_office_id)) errors.streetOfficeId = 'validation.choose';
  if (scope.auditStreets.some((id) => !known.has(id))) errors.auditStreetOfficeIds = 'validation.choose';
  if (scope.organization_id && orgs.length === 0) errors.organizationId = 'validation.choose';
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  return scope;
}

function publicView(row: Partial<repo.UserRow>, auditStreets?: number[]) {
  return {
    username: row.username,
    display_name: row.display_name,
    role: row.role,
    street_office_id: row.street_office_id,
    organization_id: row.organization_id,
    disabled_at: row.disabled_at,
    ...(auditStreets ? { audit_street_office_ids: auditStreets } : {}),
  };
}

export async function createUser(deps: Deps, actor: Actor, input: CreateUserInput): Promise<number> {
  const scope = await checkScope(deps, input.role, input);
  if (await repo.findUserByUsername(deps.db, input.username))
    throw new ValidationFailed({ username: 'validation.usernameTaken' });
  const passwordHash = await hashPassword(input.password, deps.config.bcryptRounds);
  const now = deps.clock.now();
  const create = auditedTransaction(deps.db, actor, now, async (trx) => {
    const row = {
      username: input.username,
      display_name: input.displayName,
      password_hash: passwordHash,
      role: input.role,
      street_office_id: scope.street_office_id,
      organization_id: scope.organization_id,
      disabled_at: null,
      // The administrator chose this password: the user replaces it with their own at first sign-in.
      must_change_password: true,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    const id = await repo.insertUser(trx, row);
    await repo.replaceAuditorStreets(trx, id, scope.auditStreets);
    return {
      result: id,
      audit: {
        action: 'user.create',
        subjectType: 'user',
        subjectId: id,
        streetOfficeId: scope.street_office_id,
        organizationId: scope.organization_id,
        after: publicView(row, scope.auditStreets),
      },
    };
  });
  // Two admins creating the same username at once: the unique index decides; the loser sees the form error.
  return create.catch((err) => {
    throw isUniqueViolation(err) ? new ValidationFailed({ username: 'validation.usernameTaken' }) : err;
  });
}

export async function updateUser(deps: Deps, actor: Actor, id: number, input: UpdateUserInput): Promise<void> {
  if (!(await repo.findUserById(deps.db, id))) throw new NotFound();
  const scope = await checkScope(
    deps,
    input.role,
    input,
    input.role === 'auditor' && (await repo.hasDistrictScope(deps.db, id)),
  );
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    // "Before" is read inside the transaction, so two administrators editing at once each record
    // what they actually changed.
    const before = (await repo.findUserById(trx, id))!;
    const beforeStreets = await repo.assignedAuditStreets(trx, id);
    const beforeWhole = await repo.hasDistrictScope(trx, id);
    const changes = {
      display_name: input.displayName,
      role: input.role,
      street_office_id: scope.street_office_id,
      organization_id: scope.organization_id,
      updated_at: now.toISOString(),
    };
    await repo.updateUser(trx, id, changes);
    await repo.replaceAuditorStreets(trx, id, scope.auditStreets);
    // A user who stops being an auditor loses "the whole district" too, so that it cannot come back
    // unnoticed with a later change of role.
    const whole = beforeWhole && input.role === 'auditor';
    if (beforeWhole && !whole) await trx('auditor_district_scopes').where({ user_id: id }).delete();
    return {
      result: undefined,
      audit: {
        action: before.role === input.role ? 'user.update' : 'user.role_change',
        subjectType: 'user',
        subjectId: id,
        streetOfficeId: scope.street_office_id ?? before.street_office_id,
        organizationId: scope.organization_id ?? before.organization_id,
        before: { ...publicView(before, beforeStreets), ...(beforeWhole ? { whole_district: true } : {}) },
        after: {
          ...publicView({ ...before, ...changes }, scope.auditStreets),
          ...(beforeWhole ? { whole_district: whole } : {}),
        },
      },
    };
  });
}

export async function setUserDisabled(deps: Deps, actor: Actor, id: number, disabled: boolean): Promise<void> {
  if (disabled && actor.userId === id) throw new InvalidState('accounts.users.cannotDisableSelf');
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const user = await repo.findUserById(trx, id);
    if (!user) throw new NotFound();
    if (Boolean(user.disabled_at) === disabled)
      throw new InvalidState(disabled ? 'accounts.users.alreadyDisabled' : 'accounts.users.alreadyEnabled');
    const disabledAt = disabled ? now.toISOString() : null;
    await repo.updateUser(trx, id, { disabled_at: disabledAt, updated_at: now.toISOString() });
    if (disabled) await deleteSessionsOf(trx, id);
    return {
      result: undefined,
      audit: {
        action: disabled ? 'user.disable' : 'user.enable',
        subjectType: 'user',
        subjectId: id,
        streetOfficeId: user.street_office_id,
        organizationId: user.organization_id,
        before: { disabled_at: user.disabled_at },
        after: { disabled_at: disabledAt },
      },
    };
  });
}

/** A disabled account is signed out everywhere at once (its sessions are in the database). */
async function deleteSessionsOf(trx: import('knex').Knex.Transaction, userId: number): Promise<void> {
  // The session JSON holds {"passport":{"user":<id>}}; match that exact fragment, same on both databases.
  await trx('sessions')
    .whereRaw('CAST(sess AS TEXT) LIKE ?', [`%"passport":{"user":${userId}}%`])
    .delete();
}
