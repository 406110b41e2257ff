import type { Knex } from 'knex';

/** A create form's one-time key (idempotency key): which form, and the random key it carried. */
export interface OnceKey {
  form: string;
  key: string;
}

/** The key was claimed by an earlier submission (committed): the caller answers with its result. */
export class AlreadySubmitted extends Error {
  constructor(public readonly once: OnceKey) {
    super(`form ${once.form} already submitted`);
    this.name = 'AlreadySubmitted';
  }
}

/**
 * Claims the key inside the create's transaction, as its first statement. Two submissions at once:
 * on PostgreSQL the second INSERT ... ON CONFLICT DO NOTHING waits for the first transaction and
 * inserts nothing once it commits (or claims the key if it rolled back); SQLite has one writer. So
 * exactly one transaction with a given key commits a create.
 */
export async function claimOnce(trx: Knex.Transaction, once: OnceKey, userId: number | null, now: Date): Promise<void> {
  const inserted = await trx('form_submissions')
    .insert({ form: once.form, once_key: once.key, user_id: userId, created_at: now.toISOString() })
    .onConflict(['form', 'once_key'])
    .ignore()
    .returning('id');
  if (inserted.length === 0) throw new AlreadySubmitted(once);
}

/** Stores what the create returned (an id, or a small object), in the same transaction. */
export async function recordOnceResult(trx: Knex.Transaction, once: OnceKey, result: unknown): Promise<void> {
  await trx('form_submissions')
    .where({ form: once.form, once_key: once.key })
    .update({ result_json: JSON.stringify(result ?? null) });
}

/** The first submission's result, if that submission was this user's (anonymous: null). */
export async function priorResult(
  db: Knex,
  once: OnceKey,
  userId: number | null,
): Promise<{ found: true; result: unknown } | { found: false }> {
  const row = (await db('form_submissions')
    .where({ form: once.form, once_key: once.key })
    .first('user_id', 'result_json')) as { user_id: number | null; result_json: string | null } | undefined;
  if (!row || row.result_json === null) return { found: false };
  if ((row.user_id === null ? null : Number(row.user_id)) !== userId) return { found: false };
  return { found: true, result: JSON.parse(row.result_json) };
}
