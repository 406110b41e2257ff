import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import type { SessionUser } from '../accounts/roles';
import { reviewerTodo } from '../reviews';
import type { PaymentDashboard } from '../payments';
import type { DashboardMilestone, EvaluationDashboard } from '../evaluations';
import { changesSince, describeEvents, previousSignIn, trailScope } from '../audit-trail';
import type { TFunction } from 'i18next';
import type { Language } from '../../web/i18n';
import { toShanghaiInput } from '../../shared/time';

/**
 * Each role's work queue: what waits for this user, oldest first, each item a link to the page where
 * it is done. A read model over other modules' tables (like the module's other counts): it changes
 * nothing, and each list is one query, never one per row.
 */
export interface QueueItem {
  /** i18n key under dashboard.queue.kinds: what is to be done ("open the bids"). */
  kind: string;
  /** What is shown for the kind when it is not one of dashboard.queue.kinds (already translated). */
  kindText?: string;
  /** The record's name (a call's title, an organization's name). */
  label: string;
  href: string;
  /** Since when it waits (UTC ISO): the queue is sorted by it, oldest first. */
  since: string;
  /** A key under dashboard.queue.notes with its values, for a warning or a detail. */
  note?: { key: string; params?: Record<string, unknown>; warning?: boolean };
}

const byAge = (items: QueueItem[]) => items.sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
/** What a dashboard shows of its queue, oldest first; each kind's query reads one more, so the page
 *  knows there is more (every kind's oldest QUEUE_SHOWN are enough to find the oldest QUEUE_SHOWN). */
export const QUEUE_SHOWN = 20;
const LIMIT = QUEUE_SHOWN + 1;

/** The tail every queue query shares: oldest first by `since` (selected as `since`), at most LIMIT rows. */
const oldestFirst = (qb: Knex.QueryBuilder, since: string, ...columns: string[]): Promise<Row[]> =>
  qb
    .orderBy(since)
    .limit(LIMIT)
    .select(...columns, `${since} as since`);
/** A row as knex returns it (the columns each query selects). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Row = Record<string, any>;
/** A correlated "some row of `table` where `on` (and `also`)", for whereExists / whereNotExists. */
const some = (db: Queryable, table: string, on: string, also: (qb: Knex.QueryBuilder) => void = () => {}) =>
  db(table).whereRaw(on).modify(also).select(db.raw('1'));

/** The street's project manager: the call's way from draft to award and contract. */
export async function managerQueue(db: Queryable, user: SessionUser, now: Date): Promise<QueueItem[]> {
  const street = user.streetOfficeId;
  if (!street) return [];
  const at = now.toISOString();
  const calls = (q: Queryable) => q('calls as k').where('k.street_office_id', street);
  const hasPanel = some(db, 'call_reviewers as cr', 'cr.call_id = k.id');
  const underReview = (q: Queryable) => calls(q).where('k.status', 'under_review');
  const [drafts, toOpen, withoutPanel, scoring, toPropose, objections, toConfirm, toDraft, toSign] = await Promise.all([
    oldestFirst(calls(db).where('k.status', 'draft'), 'k.created_at', 'k.id', 'k.title'),
    oldestFirst(
      calls(db).where('k.status', 'published').whereNull('k.bids_opened_at').where('k.closes_at', '<=', at),
      'k.closes_at',
      'k.id',
      'k.title',
    ),
    oldestFirst(
      underReview(db).whereNull('k.scoring_closed_at').whereNotExists(hasPanel.clone()),
      'k.bids_opened_at',
      'k.id',
      'k.title',
    ),
    oldestFirst(
      underReview(db).whereNull('k.scoring_closed_at').whereExists(hasPanel.clone()),
      'k.bids_opened_at',
      'k.id',
      'k.title',
    ),
    oldestFirst(
      underReview(db)
        .whereNotNull('k.scoring_closed_at')
        .whereNotExists(some(db, 'awards as a', 'a.call_id = k.id', (w) => w.whereNot('a.status', 'withdrawn'))),
      'k.scoring_closed_at',
      'k.id',
      'k.title',
    ),
    oldestFirst(
      db('objections as o')
        .join('awards as a', 'a.id', 'o.award_id')
        .join('calls as k', 'k.id', 'a.call_id')
        .join('organizations as g', 'g.id', 'o.organization_id')
        .where({ 'k.street_office_id': street, 'o.status': 'open' }),
      'o.lodged_at',
      'o.id',
      'o.award_id',
      'k.title',
      'g.name as organization_name',
    ),
    oldestFirst(
      db('awards as a')
        .join('calls as k', 'k.id', 'a.call_id')
        .where({ 'k.street_office_id': street, 'a.status': 'proposed' })
        .where('a.publicity_ends_at', '<=', at)
        .whereNotExists(some(db, 'objections as o', 'o.award_id = a.id', (w) => w.where('o.status', 'open'))),
      'a.publicity_ends_at',
      'a.id',
      'k.title',
    ),
    // Final award items waiting for their contract: none drafted yet (contract_drafted_at still
    // empty: the few such items, from index award_items_contract_drafted_idx, not every item the
    // street ever had), or drafted and waiting to be sent or signed (the street's contracts of
    // those two states, from contracts_street_status_idx).
    oldestFirst(
      db('award_items as i')
        .join('awards as a', 'a.id', 'i.award_id')
        .join('calls as k', 'k.id', 'a.call_id')
        .join('bids as b', 'b.id', 'i.bid_id')
        .join('organizations as g', 'g.id', 'b.organization_id')
        .whereNull('i.contract_drafted_at')
        .where({ 'k.street_office_id': street, 'a.status': 'final' }),
      'a.final_at',
      'i.award_id',
      'k.title',
      'g.name as organization_name',
    ),
    oldestFirst(
      db('contracts as c')
        .join('awards as a', 'a.id', 'c.award_id')
        .join('calls as k', 'k.id', 'c.call_id')
        .join('organizations as g', 'g.id', 'c.organization_id')
        .where('c.street_office_id', street)
        .whereIn('c.status', ['draft', 'accepted'])
        .where('a.status', 'final'),
      'a.final_at',
      'c.award_id',
      'k.title',
      'g.name as organization_name',
      'c.id as contract_id',
      'c.status as contract_status',
    ),
  ]);
  return byAge([
    ...drafts.map((c) => ({ kind: 'draft', label: c.title, href: `/calls/${c.id}`, since: c.since })),
    ...toOpen.map((c) => ({ kind: 'openBids', label: c.title, href: `/reviews/calls/${c.id}`, since: c.since })),
    ...withoutPanel.map((c) => ({
      kind: 'assignPanel',
      label: c.title,
      href: `/reviews/calls/${c.id}#h-panel`,
      since: c.since,
    })),
    ...scoring.map((c) => ({
      kind: 'closeScoring',
      label: c.title,
      href: `/reviews/calls/${c.id}#h-close`,
      since: c.since,
    })),
    ...toPropose.map((c) => ({
      kind: 'proposeAward',
      label: c.title,
      href: `/calls/${c.id}/award/new`,
      since: c.since,
    })),
    ...objections.map((o) => ({
      kind: 'answerObjection',
      label: o.title,
      href: `/awards/${o.award_id}/objections/${o.id}`,
      since: o.since,
      note: { key: 'objectionBy', params: { organization: o.organization_name } },
    })),
    ...toConfirm.map((a) => ({
      kind: 'confirmAward',
      label: a.title,
      href: `/awards/${a.id}#h-confirm`,
      since: a.since,
    })),
    ...[...toDraft, ...toSign].map((i) => ({
      kind: i.contract_id ? (i.contract_status === 'accepted' ? 'signContract' : 'sendContract') : 'draftContract',
      label: i.title,
      href: i.contract_id ? `/contracts/${i.contract_id}` : `/awards/${i.award_id}`,
      since: i.since,
      note: { key: 'organization', params: { organization: i.organization_name } },
    })),
  ]);
}

/** A reviewer: declarations and score sheets still to do, per call under review. */
export async function reviewerQueue(db: Queryable, user: SessionUser): Promise<QueueItem[]> {
  const todo = await reviewerTodo(db, user.id, LIMIT);
  const open = todo.filter((r) => !r.scoring_closed_at && r.status === 'under_review' && (r.toDeclare || r.toScore));
  if (!open.length) return [];
  const assigned = await db('call_reviewers')
    .where('reviewer_id', user.id)
    .whereIn(
      'call_id',
      open.map((r) => r.call_id),
    )
    .select('call_id', 'assigned_at');
  const since = new Map(assigned.map((a) => [Number(a.call_id), String(a.assigned_at)]));
  return byAge(
    open.map((r) => ({
      kind: r.toDeclare ? 'declare' : 'score',
      label: r.title,
      href: `/reviews/calls/${r.call_id}`,
      since: since.get(r.call_id) ?? '',
      note: { key: 'reviewTodo', params: { declare: r.toDeclare, score: r.toScore } },
    })),
  );
}

/** Organization staff: bids in draft, deadlines this week, results, answers to their objections and
 *  contracts sent to them to confirm. */
export async function organizationQueue(db: Queryable, user: SessionUser, now: Date): Promise<QueueItem[]> {
  const org = user.organizationId;
  if (!org) return [];
  const at = now.toISOString();
  const inAWeek = new Date(now.getTime() + 7 * 86400000).toISOString();
  const monthAgo = new Date(now.getTime() - 30 * 86400000).toISOString();
  const [drafts, closing, results, answers, toConfirm] = await Promise.all([
    oldestFirst(
      db('bids as b')
        .join('calls as k', 'k.id', 'b.call_id')
        .where({ 'b.organization_id': org, 'b.status': 'draft' })
        .where('k.closes_at', '>', at),
      'b.created_at',
      'b.ref',
      'k.title',
      'k.closes_at',
    ),
    db('calls as k')
      .where('k.status', 'published')
      .where('k.opens_at', '<=', at)
      .where('k.closes_at', '>', at)
      .where('k.closes_at', '<=', inAWeek)
      .whereNotExists(
        some(db, 'bids as b', 'b.call_id = k.id', (w) =>
          w.where('b.organization_id', org).whereIn('b.status', ['draft', 'submitted']),
        ),
      )
      .orderBy('k.closes_at')
      .limit(LIMIT)
      .select('k.id', 'k.title', 'k.closes_at'),
    // From the organization's own submitted bids (index bids_org_idx): the awards of the month of
    // the whole province, probed for a bid of this organization, were a scan of every award.
    db('bids as b')
      .join('awards as a', 'a.call_id', 'b.call_id')
      .join('calls as k', 'k.id', 'a.call_id')
      .where({ 'b.organization_id': org, 'b.status': 'submitted' })
      .whereIn('a.status', ['proposed', 'final'])
      .where('a.proposed_at', '>=', monthAgo)
      .orderBy('a.proposed_at')
      .limit(LIMIT)
      .select('a.id', 'k.title', 'a.status', 'a.proposed_at', 'a.final_at'),
    oldestFirst(
      db('objections as o')
        .join('awards as a', 'a.id', 'o.award_id')
        .join('calls as k', 'k.id', 'a.call_id')
        .where('o.organization_id', org)
        .whereNotNull('o.answered_at')
        .where('o.answered_at', '>=', monthAgo),
      'o.answered_at',
      'o.id',
      'o.award_id',
      'k.title',
    ),
    // Contracts the street office sent for the organization to confirm (index contracts_organization_idx).
    oldestFirst(
      db('contracts as c').where({ 'c.organization_id': org, 'c.status': 'sent' }),
      'c.sent_at',
      'c.id',
      'c.number',
      'c.title',
    ),
  ]);
  return byAge([
    ...drafts.map((b) => ({
      kind: 'bidDraft',
      label: b.title,
      href: `/bids/${b.ref}/edit`,
      since: b.since,
      note: { key: 'closesAt', params: { at: b.closes_at } },
    })),
    // A deadline sorts by how soon it comes: the soonest first, ahead of what waits since earlier.
    ...closing.map((c) => ({
      kind: 'deadline',
      label: c.title,
      href: `/calls/${c.id}`,
      since: '',
      note: { key: 'closesAt', params: { at: c.closes_at }, warning: true },
    })),
    ...results.map((a) => ({
      kind: a.status === 'final' ? 'resultFinal' : 'resultPublicity',
      label: a.title,
      href: `/awards/${a.id}`,
      since: a.final_at ?? a.proposed_at,
    })),
    ...toConfirm.map((c) => ({
      kind: 'confirmContract',
      label: `${c.number} · ${c.title}`,
      href: `/contracts/${c.id}`,
      since: c.since,
    })),
    ...answers.map((o) => ({
      kind: 'objectionAnswered',
      label: o.title,
      href: `/awards/${o.award_id}/objections/${o.id}`,
      since: o.since,
    })),
  ]);
}

/** The administrator: organizations waiting for review, oldest first, warning when nothing was uploaded. */
export async function adminQueue(db: Queryable): Promise<QueueItem[]> {
  const docs = db('organization_documents')
    .groupBy('organization_id')
    .select('organization_id', db.raw('COUNT(*) AS n'));
  const rows = await oldestFirst(
    db('organizations as g').leftJoin(docs.as('d'), 'd.organization_id', 'g.id').where('g.status', 'pending'),
    'g.updated_at',
    'g.id',
    'g.name',
    'd.n',
  );
  return rows.map((r) => ({
    kind: 'reviewOrganization',
    label: r.name,
    href: `/organizations/${r.id}`,
    since: r.since,
    note: Number(r.n ?? 0)
      ? { key: 'documents', params: { count: Number(r.n) } }
      : { key: 'noDocuments', warning: true },
  }));
}

/** The payments engineer's dashboard part (paymentDashboard) as queue items: the approver's
 *  proposals, the corrections waiting for their return and missing vouchers, the manager's milestones ready to be proposed for payment. */
export function paymentItems(p: PaymentDashboard | undefined): QueueItem[] {
  if (!p) return [];
  return [
    ...p.queue.map((x) => ({
      // A correction (追回) or a decision to pay nothing reads as what it is, not as a payment.
      kind: x.kind === 'reversal' ? 'approveReversal' : x.kind === 'withheld' ? 'approveWithheld' : 'approvePayment',
      label: `${x.contract_number} · ${x.milestone_title}`,
      href: x.link,
      since: String(x.proposed_at),
      note: x.own
        ? { key: 'ownProposal', warning: true }
        : { key: 'paymentOf', params: { organization: x.organization_name, amount: Number(x.amount_fen) } },
    })),
    ...p.returnsToRecord.map((r) => ({
      kind: 'recordReturn',
      label: `${r.contract_number} · ${r.milestone_seq}`,
      href: r.link,
      since: r.decided_at,
      note: { key: 'paymentOf', params: { organization: r.organization_name, amount: r.amount_fen } },
    })),
    ...p.vouchersMissing.map((v) => ({
      kind: 'recordVoucher',
      label: v.contract_number,
      href: v.link,
      since: v.approved_at,
      note: { key: 'amount', params: { amount: v.amount_fen } },
    })),
    // Ready now (an advance, or an evaluation closed): they wait since then; the list comes oldest due first.
    ...p.toPropose.map((m) => ({
      kind: 'proposePayment',
      label: `${m.contract_number} · ${m.title}`,
      href: m.link,
      since: '',
      note: { key: 'paymentOf', params: { organization: m.organization_name, amount: m.amount_fen } },
    })),
  ];
}

/** The evaluations part (evaluationDashboard) as queue items: the manager's reports to evaluate, the
 *  organization's overdue reports, and the peer's or third party's assessments to give. */
export function evaluationItems(e: EvaluationDashboard | undefined, role: string): QueueItem[] {
  if (!e) return [];
  const report = (m: DashboardMilestone) => `/contracts/${m.contract_id}/milestones/${m.seq}/report`;
  const label = (m: DashboardMilestone) => `${m.contract_number} · ${m.title}`;
  return [
    ...(role === 'manager' ? e.waiting : []).map((m) => ({
      kind: 'evaluateReport',
      label: label(m),
      href: report(m),
      since: m.submitted_at ?? '',
      note: { key: 'organization', params: { organization: m.organization_name } },
    })),
    ...(role === 'org_staff' ? e.overdue : []).map((m) => ({
      kind: 'submitReport',
      label: label(m),
      href: report(m),
      since: '',
      note: { key: 'dueOn', params: { due: m.due_date }, warning: true },
    })),
    ...e.assigned.map((m) => ({
      kind: 'assessMilestone',
      label: label(m),
      href: report(m),
      since: '',
      note: { key: 'organization', params: { organization: m.organization_name } },
    })),
  ];
}

/** How far back an auditor's "what changed" reaches: since their last visit, or a week when that was
 *  longer ago than a month (or never). */
export const CHANGES_DAYS = 7;
const VISIT_DAYS = 30;
/** A dashboard's worth of changes; the rest are on the audit trail, which says so. */
const CHANGES_LIMIT = 20;

/** An auditor: what changed in their streets since their last visit (or in the last week), oldest
 *  first, each linked to the record (or to the event, where the record has no page of its own). */
export async function auditorQueue(
  db: Queryable,
  user: SessionUser,
  now: Date,
  t: TFunction,
  lang: Language,
): Promise<{
  items: QueueItem[];
  from: string;
  fromDate: string;
  sinceVisit: boolean;
  more: boolean;
  /** The Beijing date CHANGES_DAYS ago: the audit trail from then, when nothing changed since the visit. */
  weekFromDate: string;
}> {
  const visit = await previousSignIn(db, user.id);
  const sinceVisit = visit !== null && visit >= new Date(now.getTime() - VISIT_DAYS * 86400000).toISOString();
  const from = sinceVisit ? visit! : new Date(now.getTime() - CHANGES_DAYS * 86400000).toISOString();
  // The auditor's trail scope: a whole-district auditor sees every street's changes.
  const rows = await changesSince(db, trailScope(user), from, CHANGES_LIMIT + 1, now);
  const events = await describeEvents(db, rows.slice(0, CHANGES_LIMIT), user, t, lang);
  const items = events.map((e) => ({
    kind: 'changed',
    // Named by what changed (合同, 项目公告, 付款 …), the audit trail's own group of the action.
    kindText: t(`auditTrail.actionGroups.${e.action.split('.')[0]}`, {
      defaultValue: t('dashboard.queue.kinds.changed'),
    }),
    label: e.sentence
      .map((p) => ('text' in p ? p.text : ((p.slot === 'actor' ? e.actor : e.subject)?.name ?? '')))
      .join(''),
    href: e.subject?.href ?? `/audit/${e.id}`,
    since: String(e.occurred_at),
    note: e.street_office_name ? { key: 'street', params: { street: e.street_office_name } } : undefined,
  }));
  // The rest on the audit trail, from the same Beijing day on.
  return {
    items,
    from,
    fromDate: toShanghaiInput(new Date(from)).slice(0, 10),
    sinceVisit,
    more: rows.length > CHANGES_LIMIT,
    weekFromDate: toShanghaiInput(new Date(now.getTime() - CHANGES_DAYS * 86400000)).slice(0, 10),
  };
}
