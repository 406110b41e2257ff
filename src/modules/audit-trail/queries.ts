import { digitsAsInteger, type Queryable } from '../../db/knex';
import { paginate, type Page } from '../../shared/pagination';
import type { AuditRow } from '../../audit/audit';
import type { SealedEventRow } from '../../audit/sealed';
import { whereInScope, type TrailScope } from './scope';

export type EventListRow = Pick<
  AuditRow,
  | 'id'
  | 'occurred_at'
  | 'actor_user_id'
  | 'actor_label'
  | 'actor_role'
  | 'action'
  | 'subject_type'
  | 'subject_id'
  | 'ip'
> & {
  street_office_name: string | null;
};

/**
 * `streets` (scope.ts): null = every event (administrator, whole-district auditor); a list = the
 * events of those streets (and an auditor's own events that name no street office).
 * Events about a bid whose call has not closed yet are left out for every reader: the audit trail
 * must not tell even the administrator that someone has bid before the deadline (sealed bids).
 * Since the sealed logs (src/audit/sealed.ts) bids write no such event to the main chain at all;
 * this only still hides the events an earlier install wrote.
 *
 * The bid is found by its primary key or its unique reference, never by converting every bid's id
 * to text: `CAST(b.id AS VARCHAR) = e.subject_id` could use no index and scanned all bids for each
 * bid event (issue 15). Now the event's text is turned into an integer (only when it is all digits,
 * so PostgreSQL never fails on a reference) and compared with `b.id`. EXPLAIN QUERY PLAN on SQLite:
 *   before: SCAN b                                              (every bid, for each bid event)
 *   after:  SEARCH b USING INTEGER PRIMARY KEY (rowid=?)        (first EXISTS)
 *           SEARCH b USING INDEX bids_ref_unique (ref=?)        (second EXISTS)
 *           SEARCH c USING INTEGER PRIMARY KEY (rowid=?)
 * (test/audit/trail-queries.test.ts prints and checks the plan; PostgreSQL: Index Scan using bids_pkey.)
 */
export function sealedBidFilter(db: Queryable, now: Date): [string, string[]] {
  const asInteger = digitsAsInteger(db, 'e.subject_id');
  return [
    `NOT (e.subject_type = 'bid' AND (
        EXISTS (SELECT 1 FROM bids b JOIN calls c ON c.id = b.call_id WHERE b.id = ${asInteger} AND c.closes_at > ?)
        OR EXISTS (SELECT 1 FROM bids b JOIN calls c ON c.id = b.call_id WHERE b.ref = e.subject_id AND c.closes_at > ?)))`,
    [now.toISOString(), now.toISOString()],
  ];
}

function scoped(db: Queryable, streets: TrailScope, now: Date) {
  const [sql, bindings] = sealedBidFilter(db, now);
  return db('audit_events as e')
    .leftJoin('street_offices as s', 's.id', 'e.street_office_id')
    .modify((qb) => whereInScope(qb, streets))
    .whereRaw(sql, bindings);
}

const COLUMNS = [
  'e.id',
  'e.occurred_at',
  'e.actor_user_id',
  'e.actor_label',
  'e.actor_role',
  'e.action',
  'e.subject_type',
  'e.subject_id',
  'e.ip',
  's.name as street_office_name',
];

export async function recentEvents(
  db: Queryable,
  streets: TrailScope,
  limit: number,
  now: Date,
): Promise<EventListRow[]> {
  return scoped(db, streets, now).orderBy('e.id', 'desc').limit(limit).select(COLUMNS);
}

/** What changed in these streets since a time (an auditor's dashboard), oldest first: the changes,
 *  not sign-ins, downloads or exports, which change nothing. Found by the (occurred_at, id) index. */
export async function changesSince(
  db: Queryable,
  streets: number[] | null,
  fromUtc: string,
  limit: number,
  now: Date,
): Promise<EventListRow[]> {
  return scoped(db, streets, now)
    .where('e.occurred_at', '>=', fromUtc)
    .whereNot('e.action', 'like', 'auth.%')
    .whereNot('e.action', 'like', '%.download')
    .whereNot('e.action', 'like', '%.export')
    .orderBy('e.occurred_at')
    .orderBy('e.id')
    .limit(limit)
    .select(COLUMNS);
}

/** When this user signed in before the current sign-in (their last visit), if ever (the (actor, id) index). */
export async function previousSignIn(db: Queryable, userId: number): Promise<string | null> {
  const row = await db('audit_events')
    .where({ actor_user_id: userId, action: 'auth.sign_in' })
    .orderBy('id', 'desc')
    .offset(1)
    .first('occurred_at');
  return row ? String(row.occurred_at) : null;
}

/** The audit trail's filters, already checked (schemas.ts); times are UTC ISO bounds. */
export interface EventFilters {
  streetOfficeId?: number;
  userId?: number;
  /** An exact code (`call.publish`) or a group (`call.`, every action of calls). */
  action?: string;
  subjectType?: string;
  subjectId?: string;
  fromUtc?: string;
  toUtc?: string;
}

/** Where the page stands: the newest events (none), older than an id, newer than an id, or the oldest. */
export type Cursor = { before?: number; after?: number; last?: boolean };

export interface KeysetPage<T> {
  items: T[];
  /** Id to ask `before` for the next (older) page, when there is one. */
  olderThan: number | null;
  /** Id to ask `after` for the previous (newer) page, when there is one. */
  newerThan: number | null;
  /** The number of matching events, counted up to COUNT_LIMIT (then `countCapped`). */
  count: number;
  countCapped: boolean;
}

export const PAGE_SIZE = 50;
export const COUNT_LIMIT = 1000;

function filtered(db: Queryable, streets: TrailScope, filters: EventFilters, now: Date) {
  return scoped(db, streets, now).modify((qb) => {
    if (filters.streetOfficeId) qb.where('e.street_office_id', filters.streetOfficeId);
    if (filters.userId) qb.where('e.actor_user_id', filters.userId);
    if (filters.action) {
      if (filters.action.endsWith('.'))
        qb.where('e.action', '>=', filters.action).andWhere('e.action', '<', `${filters.action.slice(0, -1)}/`);
      else qb.where('e.action', filters.action);
    }
    if (filters.subjectType) qb.where('e.subject_type', filters.subjectType);
    if (filters.subjectId) qb.where('e.subject_id', filters.subjectId);
    if (filters.fromUtc) qb.where('e.occurred_at', '>=', filters.fromUtc);
    if (filters.toUtc) qb.where('e.occurred_at', '<', filters.toUtc);
  });
}

/**
 * One page by key, newest first: `WHERE id < ? ORDER BY id DESC LIMIT n+1` walks the primary key from
 * where the last page stopped, so the last page of a million events costs what the first does
 * (OFFSET would read and throw away every row before it). The last (oldest) page reads in ascending
 * order and turns round. The count is bounded: at most COUNT_LIMIT + 1 rows are counted, never the
 * whole table.
 */
export async function listEvents(
  db: Queryable,
  streets: TrailScope,
  filters: EventFilters,
  cursor: Cursor,
  now: Date,
): Promise<KeysetPage<EventListRow>> {
  const ascending = cursor.after !== undefined || cursor.last === true;
  const rows: EventListRow[] = await filtered(db, streets, filters, now)
    .modify((qb) => {
      if (cursor.before !== undefined) qb.where('e.id', '<', cursor.before);
      if (cursor.after !== undefined) qb.where('e.id', '>', cursor.after);
    })
    .orderBy('e.id', ascending ? 'asc' : 'desc')
    .limit(PAGE_SIZE + 1)
    .select(COLUMNS);
  const more = rows.length > PAGE_SIZE;
  const items = (more ? rows.slice(0, PAGE_SIZE) : rows).map((r) => ({ ...r, id: Number(r.id) }));
  if (ascending) items.reverse();
  const first = items[0]?.id;
  const last = items[items.length - 1]?.id;
  // Newest first: an older page exists when this one was cut (descending) or did not start at the bottom.
  const olderThan =
    items.length &&
    (ascending ? cursor.last !== true && (await exists(db, streets, filters, now, { below: last! })) : more)
      ? last!
      : null;
  const newerThan =
    items.length &&
    (ascending ? more : cursor.before !== undefined && (await exists(db, streets, filters, now, { above: first! })))
      ? first!
      : null;
  const [{ n }] = await db
    .from(
      filtered(db, streets, filters, now)
        .limit(COUNT_LIMIT + 1)
        .select('e.id')
        .as('x'),
    )
    .count({ n: '*' });
  return { items, olderThan, newerThan, count: Math.min(Number(n), COUNT_LIMIT), countCapped: Number(n) > COUNT_LIMIT };
}

async function exists(
  db: Queryable,
  streets: TrailScope,
  filters: EventFilters,
  now: Date,
  at: { below?: number; above?: number },
): Promise<boolean> {
  const row = await filtered(db, streets, filters, now)
    .modify((qb) => {
      if (at.below !== undefined) qb.where('e.id', '<', at.below);
      if (at.above !== undefined) qb.where('e.id', '>', at.above);
    })
    .first('e.id');
  return Boolean(row);
}

/** Every filtered event, oldest first, in batches by key: the CSV export streams these. */
export async function* eachEvent(
  db: Queryable,
  streets: TrailScope,
  filters: EventFilters,
  now: Date,
  batch = 500,
): AsyncGenerator<(AuditRow & { street_office_name: string | null })[]> {
  let after = 0;
  for (;;) {
    const rows = await filtered(db, streets, filters, now)
      .where('e.id', '>', after)
      .orderBy('e.id', 'asc')
      .limit(batch)
      .select('e.*', 's.name as street_office_name');
    if (!rows.length) return;
    yield rows;
    after = Number(rows[rows.length - 1].id);
  }
}

export async function findEvent(
  db: Queryable,
  streets: TrailScope,
  id: number,
  now: Date,
): Promise<(AuditRow & { street_office_name: string | null }) | undefined> {
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
export async function findOpenedSealedLog(
  db: Queryable,
  streets: TrailScope,
  callId: number,
): Promise<OpenedSealedLog | undefined> {
  if (!Number.isSafeInteger(callId) || callId <= 0) return undefined;
  const row = await db('sealed_audit_logs as l')
    .join('calls as c', 'c.id', 'l.call_id')
    .where('l.call_id', callId)
    .whereNotNull('l.committed_event_id')
    .modify((qb) => {
      if (streets) qb.whereIn('c.street_office_id', streets.length ? streets : [0]);
    })
    .first(
      'l.call_id',
      'c.title as call_title',
      'c.street_office_id',
      'l.event_count',
      'l.last_hash',
      'l.committed_event_id',
    );
  return row
    ? {
        ...row,
        call_id: Number(row.call_id),
        street_office_id: Number(row.street_office_id),
        event_count: Number(row.event_count),
        committed_event_id: Number(row.committed_event_id),
      }
    : undefined;
}

export async function sealedLogEvents(db: Queryable, callId: number, page: number): Promise<Page<SealedEventRow>> {
  return paginate(db('sealed_audit_events').where('call_id', callId), page, (qb) => qb.orderBy('seq').select('*'));
}
