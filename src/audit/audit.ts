import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isSqlite } from '../db/knex';
import { claimOnce, recordOnceResult, type OnceKey } from '../db/once';
import { ValidationFailed } from '../web/errors';
import { CONTROL_CHARACTERS_KEY, forbiddenTextErrors } from '../web/text-guard';

/** Who did something, taken from the request (or "system" for seeds and jobs). */
export interface Actor {
  userId: number | null;
  label: string;
  role: string | null;
  ip: string | null;
  requestId: string | null;
  /** A create form's one-time key: claimed in the transaction below, so a resubmission creates nothing. */
  once?: OnceKey;
  /** Form fields of the request holding control characters (src/web/text-guard.ts): nothing is written. */
  forbiddenText?: string[];
}

export const systemActor: Actor = { userId: null, label: 'system', role: null, ip: null, requestId: null };

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  streetOfficeId?: number | null;
  organizationId?: number | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditRow {
  id: number;
  occurred_at: string;
  actor_user_id: number | null;
  actor_label: string;
  actor_role: string | null;
  street_office_id: number | null;
  organization_id: number | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before_json: string | null;
  after_json: string | null;
  ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

/** The fields that the hash covers, in a fixed order. */
export function hashEvent(row: Omit<AuditRow, 'id' | 'hash'> & { id: number }): string {
  const canonical = JSON.stringify([
    row.id,
    row.occurred_at,
    row.actor_user_id,
    row.actor_label,
    row.actor_role,
    row.street_office_id,
    row.organization_id,
    row.action,
    row.subject_type,
    row.subject_id,
    row.before_json,
    row.after_json,
    row.ip,
    row.request_id,
    row.prev_hash,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one event to the chain. Must be called with the transaction of the change it records, so
 * the change and its audit record commit or roll back together. The chain head row is locked for
 * the rest of the transaction (FOR UPDATE on PostgreSQL; SQLite has one writer anyway), which is
 * what keeps concurrent writers from forking the chain.
 */
export async function recordAudit(trx: Knex.Transaction, actor: Actor, input: AuditInput, now: Date): Promise<number> {
  const headQuery = trx('audit_chain_head').where({ id: 1 }).first('last_event_id', 'last_hash');
  const head = (await (isSqlite(trx) ? headQuery : headQuery.forUpdate())) as { last_event_id: number; last_hash: string };
  const id = Number(head.last_event_id) + 1;
  const row = {
    id,
    occurred_at: now.toISOString(),
    actor_user_id: actor.userId,
    actor_label: actor.label,
    actor_role: actor.role,
    street_office_id: input.streetOfficeId ?? null,
    organization_id: input.organizationId ?? null,
    action: input.action,
    subject_type: input.subjectType,
    subject_id: input.subjectId === undefined || input.subjectId === null ? null : String(input.subjectId),
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
    ip: actor.ip,
    request_id: actor.requestId,
    prev_hash: head.last_hash,
  };
  const hash = hashEvent(row);
  await trx('audit_events').insert({ ...row, hash });
  await trx('audit_chain_head').where({ id: 1 }).update({ last_event_id: id, last_hash: hash });
  return id;
}

/** Runs `work` in a transaction and records its audit event inside it. */
export async function auditedTransaction<T>(
  db: Knex,
  actor: Actor,
  now: Date,
  work: (trx: Knex.Transaction) => Promise<{ result: T; audit: AuditInput | AuditInput[] }>,
): Promise<T> {
  if (actor.forbiddenText?.length) throw new ValidationFailed(forbiddenTextErrors(actor.forbiddenText), CONTROL_CHARACTERS_KEY);
  return db.transaction(async (trx) => {
    if (actor.once) await claimOnce(trx, actor.once, actor.userId, now);
    const { result, audit } = await work(trx);
    for (const event of Array.isArray(audit) ? audit : [audit]) await recordAudit(trx, actor, event, now);
    if (actor.once) await recordOnceResult(trx, actor.once, result);
    return result;
  });
}
