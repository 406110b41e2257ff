import type { Knex } from 'knex';
import { forUpdate } from '../db/knex';
import type { Actor, AuditInput } from './audit';
import { auditMac } from './keys';
import { eventFields } from './event-fields';

/**
 * Sealed logs: one small hash chain per call, for the audit events of its bids before the deadline.
 * They are written in the bid's own transaction (recordAudit with `sealedCallId`), keyed like the
 * main chain, and shown to nobody: the main chain's count and ids do not move when a bid is saved,
 * submitted, edited or withdrawn. When the bids are opened, one main-chain event
 * (`audit.sealed_log_opened`) commits to the log's count and head hash, and from then on the log is
 * readable on the audit trail by those who may read the call's bids, and closed to new events.
 */
export interface SealedEventRow {
  call_id: number;
  seq: number;
  occurred_at: string;
  actor_user_id: number | null;
  actor_label: string;
  actor_role: string | null;
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

export interface SealedLogRow {
  call_id: number;
  event_count: number;
  last_hash: string;
  committed_event_id: number | null;
  head_mac: string;
}

export const ZERO_HASH = '0'.repeat(64);
export const SEALED_LOG_OPENED = 'audit.sealed_log_opened';

export function sealedEventHash(row: Omit<SealedEventRow, 'hash'>, key?: string): string {
  return auditMac(
    [
      'sealed_audit_event',
      Number(row.call_id),
      Number(row.seq),
      row.occurred_at,
      row.actor_user_id,
      row.actor_label,
      row.actor_role,
      row.organization_id,
      row.action,
      row.subject_type,
      row.subject_id,
      row.before_json,
      row.after_json,
      row.ip,
      row.request_id,
      row.prev_hash,
    ],
    key,
  );
}

export function sealedHeadMac(
  callId: number,
  count: number,
  lastHash: string,
  committedEventId: number | null,
  key?: string,
): string {
  return auditMac(
    [
      'sealed_audit_log',
      Number(callId),
      Number(count),
      lastHash,
      committedEventId === null ? null : Number(committedEventId),
    ],
    key,
  );
}

/** The call's log head, created empty on first use and locked for the rest of the transaction. */
async function lockLog(trx: Knex.Transaction, callId: number): Promise<SealedLogRow> {
  await trx('sealed_audit_logs')
    .insert({
      call_id: callId,
      event_count: 0,
      last_hash: ZERO_HASH,
      committed_event_id: null,
      head_mac: sealedHeadMac(callId, 0, ZERO_HASH, null),
    })
    .onConflict('call_id')
    .ignore();
  const q = trx('sealed_audit_logs').where({ call_id: callId }).first();
  return (await forUpdate(trx, q)) as SealedLogRow;
}

export async function recordSealedAudit(
  trx: Knex.Transaction,
  actor: Actor,
  input: AuditInput,
  now: Date,
): Promise<number> {
  const callId = Number(input.sealedCallId);
  const log = await lockLog(trx, callId);
  // After the opening the log is part of the record; a bid cannot change then anyway.
  if (log.committed_event_id !== null) throw new Error(`the sealed log of call ${callId} is already opened`);
  const seq = Number(log.event_count) + 1;
  const row = { call_id: callId, seq, ...eventFields(actor, input, now), prev_hash: log.last_hash };
  const hash = sealedEventHash(row);
  await trx('sealed_audit_events').insert({ ...row, hash });
  await trx('sealed_audit_logs')
    .where({ call_id: callId })
    .update({ event_count: seq, last_hash: hash, head_mac: sealedHeadMac(callId, seq, hash, null) });
  return seq;
}

/**
 * At the opening of bids, in its transaction: one main-chain event commits to the log's count and
 * head, and the log is closed. `record` is recordAudit (passed in to keep this file free of a cycle).
 */
export async function commitSealedLog(
  trx: Knex.Transaction,
  callId: number,
  record: (trx: Knex.Transaction, input: AuditInput) => Promise<number>,
  streetOfficeId: number,
): Promise<{ count: number; head: string; eventId: number }> {
  const log = await lockLog(trx, callId);
  if (log.committed_event_id !== null) throw new Error(`the sealed log of call ${callId} is already opened`);
  const count = Number(log.event_count);
  const eventId = await record(trx, {
    action: SEALED_LOG_OPENED,
    subjectType: 'call',
    subjectId: callId,
    streetOfficeId,
    after: { sealed_log: { count, head: log.last_hash } },
  });
  await trx('sealed_audit_logs')
    .where({ call_id: callId })
    .update({ committed_event_id: eventId, head_mac: sealedHeadMac(callId, count, log.last_hash, eventId) });
  return { count, head: log.last_hash, eventId };
}
