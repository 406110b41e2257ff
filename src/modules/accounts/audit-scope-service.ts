import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { NotFound, ValidationFailed } from '../../web/errors';
import * as repo from './queries';
import { findStreetOffice } from '../streets';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

/** An auditor's scope as the administrator sees it: the street offices assigned by name, and the flag. */
export interface AuditScope {
  streetOfficeIds: number[];
  wholeDistrict: boolean;
}

export async function auditScopeOf(db: Queryable, userId: number): Promise<AuditScope> {
  const [streetOfficeIds, wholeDistrict] = await Promise.all([
    repo.assignedAuditStreets(db, userId),
    repo.hasDistrictScope(db, userId),
  ]);
  return { streetOfficeIds, wholeDistrict };
}

const view = (s: AuditScope) => ({ audit_street_office_ids: s.streetOfficeIds, whole_district: s.wholeDistrict });

export type ScopeChange =
  | { kind: 'add_street'; streetOfficeId: number }
  | { kind: 'remove_street'; streetOfficeId: number }
  | { kind: 'whole_district'; on: boolean };

const ACTIONS = {
  add_street: 'user.audit_scope_street_add',
  remove_street: 'user.audit_scope_street_remove',
  district_on: 'user.audit_scope_district_grant',
  district_off: 'user.audit_scope_district_revoke',
} as const;

/**
 * One change of an auditor's scope, with its audit event (before and after: the assigned street
 * offices and the whole-district flag) in one transaction. The session user is loaded per request
 * (`loadSessionUser`), so the auditor's reports and trail follow at their next request. Refused with
 * a field error (422): a user who is not an auditor, a street office that does not exist, adding one
 * already assigned or removing one that is not, setting the flag as it already is. The scope events
 * carry no street office: like the rest of user administration they are read by the administrator and
 * by auditors of the whole district (who oversee who was given which role and scope), not by a
 * street-scoped auditor (audit-trail/scope.ts).
 */
export async function changeAuditScope(deps: Deps, actor: Actor, userId: number, change: ScopeChange): Promise<void> {
  const now = deps.clock.now();
  const write = auditedTransaction(deps.db, actor, now, async (trx) => {
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new NotFound();
    if (user.role !== 'auditor') throw new ValidationFailed({ _form: 'auditScope.errors.notAuditor' });
    const before = await auditScopeOf(trx, userId);
    let action: string;
    if (change.kind === 'whole_district') {
      if (before.wholeDistrict === change.on)
        throw new ValidationFailed({
          wholeDistrict: change.on ? 'auditScope.errors.alreadyWhole' : 'auditScope.errors.notWhole',
        });
      if (change.on) await trx('auditor_district_scopes').insert({ user_id: userId, granted_at: now.toISOString() });
      else await trx('auditor_district_scopes').where({ user_id: userId }).delete();
      action = change.on ? ACTIONS.district_on : ACTIONS.district_off;
    } else {
      const street = await findStreetOffice(trx, change.streetOfficeId);
      if (!street) throw new ValidationFailed({ streetOfficeId: 'auditScope.errors.unknownStreet' });
      const assigned = before.streetOfficeIds.includes(change.streetOfficeId);
      if (change.kind === 'add_street') {
        if (assigned) throw new ValidationFailed({ streetOfficeId: 'auditScope.errors.alreadyAssigned' });
        await trx('user_street_offices').insert({ user_id: userId, street_office_id: change.streetOfficeId });
        action = ACTIONS.add_street;
      } else {
        if (!assigned) throw new ValidationFailed({ streetOfficeId: 'auditScope.errors.notAssigned' });
        await trx('user_street_offices').where({ user_id: userId, street_office_id: change.streetOfficeId }).delete();
        action = ACTIONS.remove_street;
      }
    }
    const after = await auditScopeOf(trx, userId);
    return {
      result: undefined,
      audit: {
        action,
        subjectType: 'user',
        subjectId: userId,
        streetOfficeId: null,
        organizationId: null,
        before: view(before),
        after: view(after),
      },
    };
  });
  // Two administrators adding the same street (or the flag) at once: the primary key decides.
  await write.catch((err) => {
    if (!isUniqueViolation(err)) throw err;
    throw new ValidationFailed(
      change.kind === 'whole_district'
        ? { wholeDistrict: 'auditScope.errors.alreadyWhole' }
        : { streetOfficeId: 'auditScope.errors.alreadyAssigned' },
    );
  });
}
