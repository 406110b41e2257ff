import type { Queryable } from '../../db/knex';
import { paginate, type Page } from '../../shared/pagination';
import type { AuditRow } from '../../audit/audit';
import type { SealedEventRow } from '../../audit/sealed';

export type EventListRow = Pick<AuditRow, 'id' | 'occurred_at' | 'actor_label' | 'actor_role' | 'action' | 'subject_type' | 'subject_id' | 'ip'> & {
  street_office_name: string | null;
};

/**
 * `streets` null = every street office (administrator); a list = only events of those streets.
 * Events about a bid whose call has not closed yet are left out for every reader: the audit trail
 * must not tell even the administrator that someone has bid before the deadline (sealed bids).
 * Since the sealed logs (src/audit/sealed.ts) bids write no such event to the main chain at all;
 * this only still hides the events an earlier install wrote (whose ids then show as gaps).
 * The CAST compares the bid id with the text subject_id the same way on SQLite and PostgreSQL.
 */
function scoped(db: Queryable, streets: number[] | null, now: Date) {
  return db('audit_events as e')
    .leftJoin('street_offices as s', 's.id', 'e.street_office_id')
    .modify((qb) => {
      if (streets) qb.whereIn('e.street_office_id', streets.length ? streets : [0]);
    })
    .whereRaw(
      `NOT (e.subject_type = 'bid' AND EXISTS (SELECT 1 FROM bids b JOIN calls c ON c.id = b.call_id
        WHERE (CAST(b.id AS VARCHAR(40)) = e.subject_id OR b.ref = e.subject_id) AND c.closes_at > ?))`,
      [now.toISOString()],
    );
}

const COLUMNS = ['e.id', 'e.occurred_at', 'e.actor_label', 'e.actor_role', 'e.action', 'e.subject_type', 'e.subject_id', 'e.ip', 's.name as street_office_name'];

export async function recentEvents(db: Queryable, streets: number[] | null, limit: number, now: Date): Promise<EventListRow[]> {
  return scoped(db, streets, now).orderBy('e.id', 'desc').limit(limit).select(COLUMNS);
}

export interface EventFilters {
  action?: string;
}

export async function listEvents(db: Queryable, streets: number[] | null, filters: EventFilters, page: number, now: Date): Promise<Page<EventListRow>> {
  const base = scoped(db, streets, now).modify((qb) => {
    if (filters.action) qb.where('e.action', 'like', `${filters.action}%`);
  });
  return paginate(base, page, (qb) =>
    qb
      .orderBy('e.id', 'desc')
      .select(COLUMNS),
  );
}

export async function findEvent(db: Queryable, streets: number[] | null, id: number, now: Date): Promise<(AuditRow & { street_office_name: string | null }) | undefined> {
  return scoped(db, streets, now).where('e.id', id).first('e.*', 's.name as street_office_name');
}

export interface OpenedSealedLog {
  call_id: number;
  call_title: string;
  street_office_id: number;
  event_count: number;
  last_hash: string;
  committed_event_id: number;
}

/**
 * A call's sealed log of bid events, once the opening of bids committed to it, for a reader of the
 * call's street (null = every street). Before the opening it does not exist for anyone: the same
 * undefined (404) as a call without bids.
 */
export async function findOpenedSealedLog(db: Queryable, streets: number[] | null, callId: number): Promise<OpenedSealedLog | undefined> {
  if (!Number.isSafeInteger(callId) || callId <= 0) return undefined;
  const row = await db('sealed_audit_logs as l')
    .join('calls as c', 'c.id', 'l.call_id')
    .where('l.call_id', callId)
    .whereNotNull('l.committed_event_id')
    .modify((qb) => {
      if (streets) qb.whereIn('c.street_office_id', streets.length ? streets : [0]);
    })
    .first('l.call_id', 'c.title as call_title', 'c.street_office_id', 'l.event_count', 'l.last_hash', 'l.committed_event_id');
  return row ? { ...row, call_id: Number(row.call_id), street_office_id: Number(row.street_office_id), event_count: Number(row.event_count), committed_event_id: Number(row.committed_event_id) } : undefined;
}

export async function sealedLogEvents(db: Queryable, callId: number, page: number): Promise<Page<SealedEventRow>> {
  return paginate(db('sealed_audit_events').where('call_id', callId), page, (qb) => qb.orderBy('seq').select('*'));
}
