import type { Knex } from 'knex';
import type { SessionUser } from '../accounts/roles';

/**
 * Which events of the trail a reader sees. `null`: every event (the administrator, and an auditor
 * of the whole district, who reads every street office and the district's own records). A list:
 * the events of those street offices; for an auditor also the events they caused that name no
 * street office — a report downloaded for all their streets, their sign-ins, their trail exports —
 * which a filter on their streets alone would drop. Their own events of a street office no longer
 * theirs stay hidden, like every other event of that street.
 *
 * A list rather than an object, so that code reading `streets.includes(id)` keeps working.
 */
export type TrailScope = null | (number[] & { ownEventsOf?: number });

export function trailScope(user: Pick<SessionUser, 'id' | 'role' | 'streetOfficeIds' | 'wholeDistrict'>): TrailScope {
  if (user.role === 'admin') return null;
  if (user.role === 'auditor' && user.wholeDistrict) return null;
  const streets: TrailScope = [...user.streetOfficeIds];
  if (user.role === 'auditor') streets.ownEventsOf = user.id;
  return streets;
}

/** The scope as a WHERE on `audit_events as e` (uses the street and actor indexes; the same SQL on both databases). */
export function whereInScope(qb: Knex.QueryBuilder, scope: TrailScope): void {
  if (!scope) return;
  const ids = scope.length ? [...scope] : [0];
  const own = scope.ownEventsOf;
  if (own === undefined) qb.whereIn('e.street_office_id', ids);
  else
    qb.where((w) =>
      w
        .whereIn('e.street_office_id', ids)
        .orWhere((o) => o.whereNull('e.street_office_id').andWhere('e.actor_user_id', own)),
    );
}
