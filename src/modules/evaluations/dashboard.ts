import { auditedTransaction, systemActor, type AuditInput } from '../../audit/audit';
import type { AppDeps } from '../../deps';
import { toShanghaiInput } from '../../shared/time';
import type { SessionUser } from '../accounts/roles';
import { dueMilestones, type ContractMilestone } from '../contracts';
import { managersOf, notify, staffOf } from '../notifications';
import { reportStatusesOf } from './queries';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

export interface DashboardMilestone {
  contract_id: number;
  contract_number: string;
  seq: number;
  title: string;
  due_date: string;
  organization_name?: string;
  submitted_at?: string;
}

export interface EvaluationDashboard {
  overdue: DashboardMilestone[];
  waiting: DashboardMilestone[];
  /** Open evaluations this user is assigned to as peer (their organization) or third party. */
  assigned: DashboardMilestone[];
}

const LIMIT = 50;

/** Whose milestones this user looks after: a manager their street, an auditor theirs, the
 *  organization's staff their own; anyone else none. */
function scopeOf(user: SessionUser): { streetOfficeIds?: number[]; organizationId?: number } | undefined {
  if (user.role === 'manager') return { streetOfficeIds: user.streetOfficeId ? [user.streetOfficeId] : [] };
  if (user.role === 'auditor') return { streetOfficeIds: user.streetOfficeIds };
  if (user.role === 'org_staff' && user.organizationId) return { organizationId: user.organizationId };
  return undefined;
}

/**
 * Overdue milestones (an evaluated milestone of an active contract, unsettled, due before today in
 * Beijing, with no submitted report) and reports waiting for evaluation, for the user's dashboard.
 * Reading it also announces, once, each milestone newly found overdue to both sides: the notice row
 * is inserted with "on conflict do nothing" and only the rows this read inserted are notified, so
 * parallel reads (several instances) send one notice.
 */
export async function evaluationDashboard(deps: Deps, user: SessionUser): Promise<EvaluationDashboard | undefined> {
  const scope = scopeOf(user);
  if (user.role === 'reviewer') return { overdue: [], waiting: [], assigned: await assignedTo(deps, user) };
  if (!scope) return undefined;
  const now = deps.clock.now();
  const today = toShanghaiInput(now).slice(0, 10);
  const due = (await dueMilestones(deps.db, scope, today)).filter((m) => !m.advance);
  const statuses = await reportStatusesOf(deps.db, [...new Set(due.map((m) => m.contract_id))]);
  const overdue = due.filter((m) => statuses.get(`${m.contract_id}:${m.seq}`) !== 'submitted');
  if (overdue.length) await announceOverdue(deps, overdue, now);
  const waiting = await waitingReports(deps, scope);
  const assigned = user.role === 'org_staff' ? await assignedTo(deps, user) : [];
  return { overdue: overdue.slice(0, LIMIT).map(row), waiting, assigned };
}

const row = (m: ContractMilestone): DashboardMilestone => ({
  contract_id: m.contract_id,
  contract_number: m.contract_number,
  seq: m.seq,
  title: m.title,
  due_date: m.due_date,
});

async function announceOverdue(deps: Deps, overdue: ContractMilestone[], now: Date): Promise<void> {
  const at = now.toISOString();
  await auditedTransaction(deps.db, systemActor, now, async (trx) => {
    const inserted: { contract_id: number; milestone_seq: number }[] = await trx('milestone_overdue_notices')
      .insert(
        overdue.map((m) => ({
          contract_id: m.contract_id,
          milestone_seq: m.seq,
          due_date: m.due_date,
          notified_at: at,
        })),
      )
      .onConflict(['contract_id', 'milestone_seq', 'due_date'])
      .ignore()
      .returning(['contract_id', 'milestone_seq']);
    const fresh = new Set(inserted.map((r) => `${Number(r.contract_id)}:${Number(r.milestone_seq)}`));
    const events: AuditInput[] = [];
    // One notice per milestone newly overdue (it happens once per milestone, never per page read).
    for (const m of overdue.filter((o) => fresh.has(`${o.contract_id}:${o.seq}`))) {
      const users = [...(await managersOf(trx, m.street_office_id)), ...(await staffOf(trx, [m.organization_id]))];
      await notify(
        trx,
        users,
        {
          kind: 'milestone.overdue',
          messageKey: 'evaluations.notifications.overdue',
          params: { number: m.contract_number, milestone: m.title, due: m.due_date },
          link: `/contracts/${m.contract_id}/milestones/${m.seq}/report`,
          subjectType: 'contract',
          subjectId: m.contract_id,
        },
        now,
      );
      events.push({
        action: 'milestone.overdue',
        subjectType: 'contract',
        subjectId: m.contract_id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        after: { milestone_seq: m.seq, due_date: m.due_date },
      });
    }
    return { result: undefined, audit: events };
  });
}

/** Submitted reports (the newest version) that wait for evaluation, oldest first. */
async function waitingReports(
  deps: Deps,
  scope: { streetOfficeIds?: number[]; organizationId?: number },
): Promise<DashboardMilestone[]> {
  const q = deps
    .db('milestone_reports as r')
    .join('contracts as c', 'c.id', 'r.contract_id')
    .join('contract_milestones as m', function () {
      this.on('m.contract_id', '=', 'r.contract_id').andOn('m.seq', '=', 'r.milestone_seq');
    })
    .join('organizations as o', 'o.id', 'r.organization_id')
    // Waiting: no closed evaluation yet (an advance's report has no evaluation and waits for none).
    .join('milestone_evaluations as e', function () {
      this.on('e.contract_id', '=', 'r.contract_id').andOn('e.milestone_seq', '=', 'r.milestone_seq');
    })
    .where('e.status', 'open')
    .where('r.status', 'submitted')
    .whereNull('m.settlement');
  // Scoped on the evaluation's own columns: the open evaluations of a street (index
  // milestone_evaluations_street_status_idx) are the few that wait, where its submitted reports are
  // every report it ever received (a report stays submitted after its evaluation closes).
  if (scope.streetOfficeIds) q.whereIn('e.street_office_id', scope.streetOfficeIds);
  if (scope.organizationId !== undefined) q.where('e.organization_id', scope.organizationId);
  const rows = await q
    .orderBy('r.submitted_at')
    .limit(LIMIT)
    .select(
      'c.id as contract_id',
      'c.number as contract_number',
      'm.seq',
      'm.title',
      'm.due_date',
      'o.name as organization_name',
      'r.submitted_at',
    );
  return rows.map((r) => ({ ...r, contract_id: Number(r.contract_id), seq: Number(r.seq) }));
}

/** Open evaluations of active contracts where the user is the assessor, oldest assignment first. */
async function assignedTo(deps: Deps, user: SessionUser): Promise<DashboardMilestone[]> {
  const q = deps
    .db('evaluation_assessors as a')
    .join('milestone_evaluations as e', 'e.id', 'a.evaluation_id')
    .join('contracts as c', 'c.id', 'e.contract_id')
    .join('contract_milestones as m', function () {
      this.on('m.contract_id', '=', 'e.contract_id').andOn('m.seq', '=', 'e.milestone_seq');
    })
    .join('organizations as o', 'o.id', 'e.organization_id')
    .where({ 'e.status': 'open', 'c.status': 'active' })
    .where((w) => w.whereNull('a.has_conflict').orWhere((x) => x.where('a.has_conflict', false).whereNull('a.score')));
  if (user.role === 'reviewer') q.where({ 'a.source': 'third_party', 'a.user_id': user.id });
  else q.where({ 'a.source': 'peer', 'a.organization_id': user.organizationId ?? 0 });
  const rows = await q
    .orderBy('a.assigned_at')
    .limit(LIMIT)
    .select(
      'c.id as contract_id',
      'c.number as contract_number',
      'm.seq',
      'm.title',
      'm.due_date',
      'o.name as organization_name',
    );
  return rows.map((r) => ({ ...r, contract_id: Number(r.contract_id), seq: Number(r.seq) }));
}
