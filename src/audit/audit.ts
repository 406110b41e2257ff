import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { forUpdate } from '../db/knex';
import { claimOnce, recordOnceResult, type OnceKey } from '../db/once';
import { ValidationFailed } from '../web/errors';
import { CONTROL_CHARACTERS_KEY, forbiddenTextErrors } from '../web/text-guard';
import { auditKey, auditMac as macParts } from './keys';
import { recordSealedAudit } from './sealed';
import { eventFields } from './event-fields';
import { writeDailyCheckpoint } from './checkpoints';

export { auditKey, auditMac, useAuditKey } from './keys';

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

/** A user acting outside a request (the demo data's story, a script run for someone): audited under
 *  their own name, so the trail says who proposed and who approved. */
export const userActor = (user: { id: number; username: string; role: string }): Actor => ({
  userId: user.id,
  label: user.username,
  role: user.role,
  ip: null,
  requestId: null,
});

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  streetOfficeId?: number | null;
  organizationId?: number | null;
  before?: unknown;
  after?: unknown;
  /**
   * Set for an event that must stay sealed until the call's bids are opened (a bid's save, submit,
   * edit, withdrawal before the deadline): it goes to that call's own sealed log (src/audit/sealed.ts)
   * instead of the main chain, so no count or id that anyone else can see moves. The returned number
   * is then the event's position in that log.
   */
  sealedCallId?: number;
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
function canonicalEvent(row: Omit<AuditRow, 'id' | 'hash'> & { id: number }): string {
  return JSON.stringify([
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
}

/** Version 1, unkeyed SHA-256: events written before the chain was keyed (ids below keyed_from_id). */
export function hashEvent(row: Omit<AuditRow, 'id' | 'hash'> & { id: number }): string {
  return crypto.createHash('sha256').update(canonicalEvent(row)).digest('hex');
}

/** Version 2, keyed: HMAC-SHA256 with AUDIT_KEY over the same fields. Without the key nobody can
 *  compute it, so an edited, appended or re-hashed event does not verify. */
export function keyedHashEvent(row: Omit<AuditRow, 'id' | 'hash'> & { id: number }, key = auditKey()): string {
  return crypto.createHmac('sha256', key).update(canonicalEvent(row)).digest('hex');
}

/** The head row's own MAC: it binds the newest event, its hash and the point from which events are
 *  keyed, so the tail cannot be cut back (and the head rewound), nor the keyed part declared legacy. */
export function headMac(lastEventId: number, lastHash: string, keyedFromId: number, key = auditKey()): string {
  return macParts(['audit_chain_head', lastEventId, lastHash, keyedFromId], key);
}

interface HeadRow {
  last_event_id: number;
  last_hash: string;
  keyed_from_id: number | null;
}

async function lockHead(trx: Knex.Transaction): Promise<HeadRow> {
  const headQuery = trx('audit_chain_head').where({ id: 1 }).first('last_event_id', 'last_hash', 'keyed_from_id');
  return (await forUpdate(trx, headQuery)) as HeadRow;
}

/**
 * Appends one event to the chain. Must be called with the transaction of the change it records, so
 * the change and its audit record commit or roll back together. The chain head row is locked for
 * the rest of the transaction (FOR UPDATE on PostgreSQL; SQLite has one writer anyway), which is
 * what keeps concurrent writers from forking the chain. Events with `sealedCallId` go to that
 * call's sealed log instead (see AuditInput).
 */
export async function recordAudit(trx: Knex.Transaction, actor: Actor, input: AuditInput, now: Date): Promise<number> {
  if (input.sealedCallId !== undefined && input.sealedCallId !== null) return recordSealedAudit(trx, actor, input, now);
  const head = await lockHead(trx);
  await writeDailyCheckpoint(trx, head, now);
  const id = Number(head.last_event_id) + 1;
  // The first event written with a key marks where keyed events start (an older install's events
  // before it keep their unkeyed hashes); the head MAC then covers that point.
  const keyedFrom = head.keyed_from_id === null || head.keyed_from_id === undefined ? id : Number(head.keyed_from_id);
  const row = {
    id,
    ...eventFields(actor, input, now),
    street_office_id: input.streetOfficeId ?? null,
    prev_hash: head.last_hash,
  };
  const hash = keyedHashEvent(row);
  await trx('audit_events').insert({ ...row, hash });
  await trx('audit_chain_head')
    .where({ id: 1 })
    .update({ last_event_id: id, last_hash: hash, keyed_from_id: keyedFrom, head_mac: headMac(id, hash, keyedFrom) });
  return id;
}

/**
 * Marks the point from which the chain is keyed, at start-up: on a database of an earlier install
 * (unkeyed events, no head MAC) the events so far stay version 1 and every later one is keyed; the
 * head MAC makes the point itself tamper-evident. Does nothing when the chain is already keyed.
 */
export async function markAuditChainKeyed(db: Knex): Promise<void> {
  await db.transaction(async (trx) => {
    const head = await lockHead(trx);
    if (head.keyed_from_id !== null && head.keyed_from_id !== undefined) return;
    const last = Number(head.last_event_id);
    await trx('audit_chain_head')
      .where({ id: 1 })
      .update({ keyed_from_id: last + 1, head_mac: headMac(last, head.last_hash, last + 1) });
  });
}

/** Runs `work` in a transaction and records its audit event inside it. */
export async function auditedTransaction<T>(
  db: Knex,
  actor: Actor,
  now: Date,
  work: (trx: Knex.Transaction) => Promise<{ result: T; audit: AuditInput | AuditInput[] }>,
): Promise<T> {
  if (actor.forbiddenText?.length)
    throw new ValidationFailed(forbiddenTextErrors(actor.forbiddenText), CONTROL_CHARACTERS_KEY);
  return db.transaction(async (trx) => {
    if (actor.once) await claimOnce(trx, actor.once, actor.userId, now);
    const { result, audit } = await work(trx);
    for (const event of Array.isArray(audit) ? audit : [audit]) await recordAudit(trx, actor, event, now);
    if (actor.once) await recordOnceResult(trx, actor.once, result);
    return result;
  });
}
