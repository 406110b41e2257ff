import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import * as repo from './queries';
import { hashPassword, verifyPassword } from './passwords';
import { randomGroups } from './mfa-key';
import type { ChangePasswordInput } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/**
 * A user changes their own password: the current one must be right, the new one passes the policy
 * (schemas) and differs from the current one. Every other session of the user ends; this one stays.
 */
export async function changeOwnPassword(
  deps: Deps,
  actor: Actor,
  userId: number,
  currentSid: string,
  input: ChangePasswordInput,
): Promise<{ signedOut: number }> {
  const user = await repo.findUserById(deps.db, userId);
  if (!user) throw new NotFound();
  if (!(await verifyPassword(input.currentPassword, user.password_hash))) {
    throw new ValidationFailed({ currentPassword: 'validation.currentPasswordWrong' });
  }
  if (input.newPassword === input.currentPassword)
    throw new ValidationFailed({ newPassword: 'validation.passwordUnchanged' });
  const hash = await hashPassword(input.newPassword, deps.config.bcryptRounds);
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    // Conditional on the hash that was checked: two changes at once cannot both pass with the old password.
    const updated = await trx('users')
      .where({ id: userId, password_hash: user.password_hash })
      .update({ password_hash: hash, must_change_password: false, updated_at: now.toISOString() });
    if (updated !== 1) throw new ValidationFailed({ currentPassword: 'validation.currentPasswordWrong' });
    const signedOut = await repo.deleteSessionsOf(trx, userId, currentSid);
    return {
      result: { signedOut },
      audit: {
        action: 'user.password_change',
        subjectType: 'user',
        subjectId: userId,
        streetOfficeId: user.street_office_id,
        organizationId: user.organization_id,
        after: { forced: Boolean(user.must_change_password), other_sessions_ended: signedOut },
      },
    };
  });
}

/**
 * The administrator resets a user's password to a temporary one (returned, shown once, never stored
 * in plain text or audited). The user must change it at their next sign-in; their sessions end now.
 */
export async function resetPassword(deps: Deps, actor: Actor, userId: number): Promise<string> {
  if (actor.userId === userId) throw new InvalidState('accounts.password.resetSelf');
  const temporary = randomGroups(4);
  const hash = await hashPassword(temporary, deps.config.bcryptRounds);
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new NotFound();
    await repo.updateUser(trx, userId, {
      password_hash: hash,
      must_change_password: true,
      updated_at: now.toISOString(),
    });
    const signedOut = await repo.deleteSessionsOf(trx, userId);
    return {
      result: temporary,
      audit: {
        action: 'user.password_reset',
        subjectType: 'user',
        subjectId: userId,
        streetOfficeId: user.street_office_id,
        organizationId: user.organization_id,
        after: { must_change_password: true, sessions_ended: signedOut },
      },
    };
  });
}
