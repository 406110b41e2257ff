import type { Queryable } from '../../db/knex';

export interface SecondFactorRow {
  id: number;
  user_id: number;
  secret_encrypted: string;
  confirmed_at: string | null;
  last_time_step: number | null;
  failed_attempts: number;
  last_failed_at: string | null;
  created_at: string;
}

export async function findSecondFactor(db: Queryable, userId: number): Promise<SecondFactorRow | undefined> {
  const row = await db<SecondFactorRow>('second_factors').where({ user_id: userId }).first();
  return row && { ...row, last_time_step: row.last_time_step === null ? null : Number(row.last_time_step) };
}

export async function unusedRecoveryCodeCount(db: Queryable, userId: number): Promise<number> {
  const row = await db('recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The administrator's view of a user's second factor. */
export async function secondFactorStatus(db: Queryable, userId: number) {
  const [factor, codes] = await Promise.all([findSecondFactor(db, userId), unusedRecoveryCodeCount(db, userId)]);
  return {
    enrolled: Boolean(factor?.confirmed_at),
    confirmedAt: factor?.confirmed_at ?? null,
    recoveryCodesLeft: codes,
  };
}

export async function replaceRecoveryCodes(
  db: Queryable,
  userId: number,
  hashes: string[],
  now: string,
): Promise<void> {
  await db('recovery_codes').where({ user_id: userId }).delete();
  await db('recovery_codes').insert(
    hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null, created_at: now })),
  );
}
