import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { InvalidState, NotFound } from '../../web/errors';
import * as repo from './queries';
import * as factors from './second-factor-queries';
import {
  decryptSecret,
  encryptSecret,
  hashRecoveryCode,
  mfaKeys,
  newRecoveryCode,
  normalizeRecoveryCode,
} from './mfa-key';
import { matchTotp, newTotpSecret } from './totp';
import { SECOND_FACTOR_ROLES } from './roles';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** Wrong codes allowed in a row; beyond them one attempt per THROTTLE_MINUTES until a right code. */
export const MAX_FAILED_CODES = 5;
export const THROTTLE_MINUTES = 15;
export const RECOVERY_CODE_COUNT = 10;

export type CodePurpose = 'sign_in' | 'step_up';
export type CodeResult =
  | { ok: true; method: 'totp' | 'recovery_code'; recoveryCodesLeft?: number }
  | { ok: false; reason: 'invalid' | 'not_enrolled' }
  | { ok: false; reason: 'throttled'; waitMinutes: number };

/** The secret of a pending (unconfirmed) enrolment, for showing the QR code; undefined when none. */
export async function pendingSecret(deps: Deps, userId: number): Promise<string | undefined> {
  const factor = await factors.findSecondFactor(deps.db, userId);
  if (!factor || factor.confirmed_at) return undefined;
  return decryptSecret(mfaKeys(deps.config), userId, factor.secret_encrypted);
}

/** Starts (or restarts) an enrolment: a new secret, not yet in force. Refused once one is confirmed. */
export async function startEnrolment(deps: Deps, actor: Actor, userId: number): Promise<void> {
  const now = deps.clock.now();
  const sealed = encryptSecret(mfaKeys(deps.config), userId, newTotpSecret());
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const existing = await factors.findSecondFactor(trx, userId);
    if (existing?.confirmed_at) throw new InvalidState('accounts.secondFactor.alreadyEnrolled');
    await trx('second_factors').where({ user_id: userId }).whereNull('confirmed_at').delete();
    await trx('second_factors').insert({
      user_id: userId,
      secret_encrypted: sealed,
      confirmed_at: null,
      last_time_step: null,
      failed_attempts: 0,
      last_failed_at: null,
      created_at: now.toISOString(),
    });
    return {
      result: undefined,
      audit: { action: 'auth.second_factor_enrolment_started', subjectType: 'user', subjectId: userId },
    };
  });
}

/**
 * Confirms an enrolment with a code from the app. Returns the recovery codes (shown once, only their
 * keyed hashes are kept), or null when the code is wrong (nothing is written then).
 */
export async function confirmEnrolment(
  deps: Deps,
  actor: Actor,
  userId: number,
  code: string,
): Promise<string[] | null> {
  const factor = await factors.findSecondFactor(deps.db, userId);
  if (!factor) throw new InvalidState('accounts.secondFactor.noEnrolment');
  if (factor.confirmed_at) throw new InvalidState('accounts.secondFactor.alreadyEnrolled');
  const keys = mfaKeys(deps.config);
  const now = deps.clock.now();
  const step = matchTotp(decryptSecret(keys, userId, factor.secret_encrypted), code, now, null);
  if (step === null) return null;
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    // Conditional on the very row that was checked: a restarted enrolment in another tab is not confirmed by this code.
    const updated = await trx('second_factors')
      .where({ id: factor.id, secret_encrypted: factor.secret_encrypted })
      .whereNull('confirmed_at')
      .update({ confirmed_at: now.toISOString(), last_time_step: step, failed_attempts: 0 });
    if (updated !== 1) throw new InvalidState('accounts.secondFactor.noEnrolment');
    await factors.replaceRecoveryCodes(
      trx,
      userId,
      codes.map((c) => hashRecoveryCode(keys, c)),
      now.toISOString(),
    );
    return {
      result: codes,
      audit: {
        action: 'auth.second_factor_enrolled',
        subjectType: 'user',
        subjectId: userId,
        after: { method: 'totp', recovery_codes: codes.length },
      },
    };
  });
}

/** New recovery codes replace all old ones (for a user who has used or lost them). */
export async function regenerateRecoveryCodes(deps: Deps, actor: Actor, userId: number): Promise<string[]> {
  const keys = mfaKeys(deps.config);
  const now = deps.clock.now();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const factor = await factors.findSecondFactor(trx, userId);
    if (!factor?.confirmed_at) throw new InvalidState('accounts.secondFactor.notEnrolled');
    await factors.replaceRecoveryCodes(
      trx,
      userId,
      codes.map((c) => hashRecoveryCode(keys, c)),
      now.toISOString(),
    );
    return {
      result: codes,
      audit: {
        action: 'auth.recovery_codes_regenerated',
        subjectType: 'user',
        subjectId: userId,
        after: { recovery_codes: codes.length },
      },
    };
  });
}

/**
 * Checks a TOTP code or a recovery code, at sign-in or for a step-up. The attempt is counted first,
 * atomically (a conditional update), so parallel guesses cannot exceed the allowance; a right code
 * resets the count. Success and failure are both audited, in the transaction that counts them.
 */
export async function verifyCode(
  deps: Deps,
  actor: Actor,
  userId: number,
  code: string,
  purpose: CodePurpose,
): Promise<CodeResult> {
  const keys = mfaKeys(deps.config);
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - THROTTLE_MINUTES * 60 * 1000).toISOString();
  const user = await repo.findUserById(deps.db, userId);
  const factor = await factors.findSecondFactor(deps.db, userId);
  if (!user || user.disabled_at || !factor?.confirmed_at) return { ok: false, reason: 'not_enrolled' };
  const who = { ...actor, userId, label: user.username, role: user.role };
  const scope = {
    subjectType: 'user',
    subjectId: userId,
    streetOfficeId: user.street_office_id,
    organizationId: user.organization_id,
  };

  return auditedTransaction(deps.db, who, now, async (trx) => {
    const counted = await trx('second_factors')
      .where({ id: factor.id })
      .whereNotNull('confirmed_at')
      .where((w) =>
        w
          .where('failed_attempts', '<', MAX_FAILED_CODES)
          .orWhereNull('last_failed_at')
          .orWhere('last_failed_at', '<', cutoff),
      )
      .update({ failed_attempts: trx.raw('failed_attempts + 1'), last_failed_at: now.toISOString() });
    if (counted !== 1) {
      const waitMs =
        Date.parse(factor.last_failed_at ?? now.toISOString()) + THROTTLE_MINUTES * 60 * 1000 - now.getTime();
      // Refused without checking the code; the refusal is audited too (someone is guessing).
      return {
        result: { ok: false, reason: 'throttled', waitMinutes: Math.max(1, Math.ceil(waitMs / 60000)) } as CodeResult,
        audit: { action: 'auth.second_factor_failed', ...scope, after: { purpose, reason: 'throttled' } },
      };
    }
    const secret = decryptSecret(keys, userId, factor.secret_encrypted);
    const step = matchTotp(secret, code, now, factor.last_time_step);
    if (step !== null) {
      // The step is recorded conditionally, so the same code sent twice at once is accepted once.
      const fresh = await trx('second_factors')
        .where({ id: factor.id })
        .where((w) => w.whereNull('last_time_step').orWhere('last_time_step', '<', step))
        .update({ last_time_step: step, failed_attempts: 0, last_failed_at: null });
      if (fresh === 1)
        return {
          result: { ok: true, method: 'totp' } as CodeResult,
          audit: { action: 'auth.second_factor_used', ...scope, after: { purpose, method: 'totp' } },
        };
    } else if (!/^\d{6}$/.test(code) && normalizeRecoveryCode(code).length === 12) {
      const spent = await trx('recovery_codes')
        .where({ user_id: userId, code_hash: hashRecoveryCode(keys, code) })
        .whereNull('used_at')
        .update({ used_at: now.toISOString() });
      if (spent === 1) {
        await trx('second_factors').where({ id: factor.id }).update({ failed_attempts: 0, last_failed_at: null });
        const left = await factors.unusedRecoveryCodeCount(trx, userId);
        return {
          result: { ok: true, method: 'recovery_code', recoveryCodesLeft: left } as CodeResult,
          audit: {
            action: 'auth.second_factor_used',
            ...scope,
            after: { purpose, method: 'recovery_code', recovery_codes_left: left },
          },
        };
      }
    }
    return {
      result: { ok: false, reason: 'invalid' } as CodeResult,
      audit: { action: 'auth.second_factor_failed', ...scope, after: { purpose, reason: 'invalid' } },
    };
  });
}

/** The administrator removes a user's second factor and recovery codes (a lost phone); the user
 *  enrols again at their next sign-in where it is required. Their sessions end. */
export async function resetSecondFactor(deps: Deps, actor: Actor, userId: number): Promise<void> {
  // An administrator's own factor is reset by another administrator, so no one removes their own protection.
  if (actor.userId === userId) throw new InvalidState('accounts.secondFactor.resetSelf');
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new NotFound();
    const removed = await trx('second_factors').where({ user_id: userId }).delete();
    const codes = await trx('recovery_codes').where({ user_id: userId }).delete();
    if (!removed && !codes) throw new InvalidState('accounts.secondFactor.nothingToReset');
    await repo.deleteSessionsOf(trx, userId);
    return {
      result: undefined,
      audit: {
        action: 'user.second_factor_reset',
        subjectType: 'user',
        subjectId: userId,
        streetOfficeId: user.street_office_id,
        organizationId: user.organization_id,
      },
    };
  });
}

export function mayEnrol(role: string): boolean {
  return (SECOND_FACTOR_ROLES as readonly string[]).includes(role);
}
