import type { Actor, AuditInput } from './audit';

/** The columns an event has in the main chain and in a sealed log alike: who, what, when, from where. */
export function eventFields(actor: Actor, input: AuditInput, now: Date) {
  return {
    occurred_at: now.toISOString(),
    actor_user_id: actor.userId,
    actor_label: actor.label,
    actor_role: actor.role,
    organization_id: input.organizationId ?? null,
    action: input.action,
    subject_type: input.subjectType,
    subject_id: input.subjectId === undefined || input.subjectId === null ? null : String(input.subjectId),
    before_json: input.before === undefined ? null : JSON.stringify(input.before),
    after_json: input.after === undefined ? null : JSON.stringify(input.after),
    ip: actor.ip,
    request_id: actor.requestId,
  };
}
