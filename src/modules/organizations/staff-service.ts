import crypto from 'node:crypto';
import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { returnedId, type Queryable } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { deleteSessionsOf, hashPassword, insertUser } from '../accounts';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** How long an invitation link stays good. */
export const INVITATION_DAYS = 7;

export const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** The organization's staff accounts, active first, and its invitations not yet used. */
export async function staffOf(db: Queryable, organizationId: number, now: Date) {
  const [staff, invitations] = await Promise.all([
    db('users')
      .where({ organization_id: organizationId, role: 'org_staff' })
      .orderByRaw('CASE WHEN disabled_at IS NULL THEN 0 ELSE 1 END')
      .orderBy('display_name')
      .select('id', 'username', 'display_name', 'disabled_at', 'created_at'),
    db('staff_invitations')
      .where({ organization_id: organizationId })
      .whereNull('used_at')
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at')
      .select('id', 'display_name', 'created_at', 'expires_at'),
  ]);
  return { staff, invitations };
}

/** A colleague's invitation: the token is shown once to the inviting staff member and kept only hashed. */
export async function invite(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  displayName: string,
): Promise<{ token: string; expiresAt: string }> {
  const now = deps.clock.now();
  const token = crypto.randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86400000).toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const [inserted] = await trx('staff_invitations')
      .insert({
        organization_id: user.organizationId,
        token_hash: tokenHash(token),
        display_name: displayName,
        invited_by: user.id,
        created_at: now.toISOString(),
        expires_at: expiresAt,
      })
      .returning('id');
    const id = returnedId(inserted);
    return {
      result: id,
      audit: {
        action: 'organization.staff_invite',
        subjectType: 'organization',
        subjectId: user.organizationId,
        organizationId: user.organizationId,
        after: { invitation: id, display_name: displayName, expires_at: expiresAt },
      },
    };
  });
  return { token, expiresAt };
}

/** The invitation behind a link, if it is still good (unused, not expired); otherwise undefined. */
export async function openInvitation(db: Queryable, token: unknown, now: Date) {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  const row = await db('staff_invitations as i')
    .join('organizations as o', 'o.id', 'i.organization_id')
    .where('i.token_hash', tokenHash(token))
    .first('i.*', 'o.name as organization_name', 'o.status as organization_status');
  if (!row || row.used_at || row.expires_at <= now.toISOString() || row.organization_status === 'suspended')
    return undefined;
  return row as { id: number; organization_id: number; display_name: string; organization_name: string };
}

/** The colleague completes the invitation with their own username and password. Single use: the
 *  invitation is claimed by a conditional update inside the transaction that creates the account. */
export async function acceptInvitation(
  deps: Deps,
  actor: Actor,
  token: string,
  input: { username: string; password: string },
): Promise<{ username: string }> {
  const now = deps.clock.now();
  const invitation = await openInvitation(deps.db, token, now);
  if (!invitation) throw new NotFound('organizations.staff.invitationGone');
  const passwordHash = await hashPassword(input.password, deps.config.bcryptRounds);
  const at = now.toISOString();
  try {
    return await auditedTransaction(deps.db, actor, now, async (trx) => {
      const userId = await insertUser(trx, {
        username: input.username,
        display_name: invitation.display_name,
        password_hash: passwordHash,
        role: 'org_staff',
        street_office_id: null,
        organization_id: invitation.organization_id,
        disabled_at: null,
        created_at: at,
        updated_at: at,
      });
      const claimed = await trx('staff_invitations')
        .where({ id: invitation.id })
        .whereNull('used_at')
        .where('expires_at', '>', at)
        .update({ used_at: at, used_by: userId });
      if (claimed !== 1) throw new NotFound('organizations.staff.invitationGone');
      return {
        result: { username: input.username },
        audit: {
          action: 'user.create',
          subjectType: 'user',
          subjectId: userId,
          organizationId: invitation.organization_id,
          after: {
            username: input.username,
            display_name: invitation.display_name,
            role: 'org_staff',
            organization_id: invitation.organization_id,
            invitation: invitation.id,
          },
        },
      };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ValidationFailed({ username: 'validation.usernameTaken' });
    throw err;
  }
}

/** Revokes an open invitation of the user's organization by hand: its link stops working now (it is
 *  ended as disabling its sender ends it). Another organization's invitation is not found. */
export async function revokeInvitation(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  invitationId: number,
): Promise<{ displayName: string }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const invitation = await trx('staff_invitations')
      .where({ id: invitationId, organization_id: user.organizationId ?? 0 })
      .first('id', 'display_name', 'expires_at');
    if (!invitation) throw new NotFound();
    const ended = await trx('staff_invitations')
      .where({ id: invitationId })
      .whereNull('used_at')
      .where('expires_at', '>', at)
      // Ended at its own creation, not at "now": an acceptance that read the clock before this
      // revocation (and was hashing its password meanwhile) compares its claim with a time that no
      // claim can be earlier than, so it fails instead of slipping through.
      .update({ expires_at: trx.ref('created_at') });
    if (ended !== 1) throw new InvalidState('organizations.staff.invitationNotOpen');
    return {
      result: { displayName: invitation.display_name },
      audit: {
        action: 'organization.staff_invitation_revoke',
        subjectType: 'organization',
        subjectId: user.organizationId,
        organizationId: user.organizationId,
        before: { invitation: invitation.id, expires_at: invitation.expires_at },
        after: { invitation: invitation.id, display_name: invitation.display_name, revoked_at: at },
      },
    };
  });
}

/**
 * Disables a colleague's account (or one's own). The organization always keeps at least one active
 * account: the organization row is locked first (FOR UPDATE on PostgreSQL; SQLite writes one at a
 * time), so two staff disabling each other at once cannot both succeed.
 */
export async function disableStaff(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  targetId: number,
): Promise<{ displayName: string }> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    await trx('organizations').where({ id: user.organizationId }).forUpdate().first('id');
    const target = await trx('users')
      .where({ id: targetId, organization_id: user.organizationId, role: 'org_staff' })
      .first('id', 'display_name', 'disabled_at');
    if (!target) throw new NotFound();
    if (target.disabled_at) throw new InvalidState('organizations.staff.alreadyDisabled');
    const others = await trx('users')
      .where({ organization_id: user.organizationId, role: 'org_staff' })
      .whereNull('disabled_at')
      .whereNot({ id: targetId })
      .count({ n: '*' })
      .first();
    if (Number(others?.n ?? 0) === 0) throw new InvalidState('organizations.staff.lastAccount');
    const changed = await trx('users')
      .where({ id: targetId })
      .whereNull('disabled_at')
      .update({ disabled_at: now.toISOString(), updated_at: now.toISOString() });
    if (changed !== 1) throw new InvalidState('organizations.staff.alreadyDisabled');
    await deleteSessionsOf(trx, targetId);
    // Links a departing colleague handed out must not let anyone in after them: their open invitations end now.
    const voided = await trx('staff_invitations')
      .where({ invited_by: targetId })
      .whereNull('used_at')
      .where('expires_at', '>', now.toISOString())
      .update({ expires_at: trx.ref('created_at') }); // as a revocation: no earlier-read claim passes
    return {
      result: { displayName: target.display_name },
      audit: {
        action: 'user.disable',
        subjectType: 'user',
        subjectId: targetId,
        organizationId: user.organizationId,
        before: { disabled: false },
        after: { disabled: true, invitationsVoided: voided },
      },
    };
  });
}
