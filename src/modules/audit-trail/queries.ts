import type { Queryable } from '../../db/knex';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from '../../shared/pagination';
import type { AuditRow } from '../../audit/audit';

export type EventListRow = Pick<AuditRow, 'id' | 'occurred_at' | 'actor_label' | 'actor_role' | 'action' | 'subject_type' | 'subject_id' | 'ip'> & {
  street_office_name: string | null;
};

/** `streets` null = every street office (administrator); a list = only events of those streets. */
function scoped(db: Queryable, streets: number[] | null) {
  return db('audit_events as e')
    .leftJoin('street_offices as s', 's.id', 'e.street_office_id')
    .modify((qb) => {
      if (streets) qb.whereIn('e.street_office_id', streets.length ? streets : [0]);
    });
}

const COLUMNS = ['e.id', 'e.occurred_at', 'e.actor_label', 'e.actor_role', 'e.action', 'e.subject_type', 'e.subject_id', 'e.ip', 's.name as street_office_name'];

export async function recentEvents(db: Queryable, streets: number[] | null, limit: number): Promise<EventListRow[]> {
  return scoped(db, streets).orderBy('e.id', 'desc').limit(limit).select(COLUMNS);
}

export interface EventFilters {
  action?: string;
}

export async function listEvents(db: Queryable, streets: number[] | null, filters: EventFilters, page: number): Promise<Page<EventListRow>> {
  const base = scoped(db, streets).modify((qb) => {
    if (filters.action) qb.where('e.action', 'like', `${filters.action}%`);
  });
  const [{ count }] = await base.clone().count({ count: '*' });
  const items = await base
    .clone()
    .orderBy('e.id', 'desc')
    .limit(DEFAULT_PAGE_SIZE)
    .offset((page - 1) * DEFAULT_PAGE_SIZE)
    .select(COLUMNS);
  return makePage(items, Number(count), page);
}

export async function findEvent(db: Queryable, streets: number[] | null, id: number): Promise<(AuditRow & { street_office_name: string | null }) | undefined> {
  return scoped(db, streets).where('e.id', id).first('e.*', 's.name as street_office_name');
}
