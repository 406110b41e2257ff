import type { TFunction } from 'i18next';
import type { Queryable } from '../../db/knex';
import type { Language } from '../../web/i18n';
import { actionSentence, type SentencePart } from './labels';

/** A name to show, and the record's page when the reader can open it. */
export interface Named {
  name: string;
  href: string | null;
}

export interface EventCore {
  id: number;
  action: string;
  actor_user_id: number | null;
  actor_label: string;
  actor_role: string | null;
  subject_type: string;
  subject_id: string | null;
}

export type Described<T extends EventCore> = T & { actor: Named; subject: Named | null; sentence: SentencePart[] };

interface Reader {
  role: string;
}

type Resolver = (db: Queryable, ids: string[], t: TFunction, reader: Reader) => Promise<Map<string, Named>>;

const numeric = (ids: string[]) => [...new Set(ids.filter((id) => /^\d{1,15}$/.test(id)).map(Number))];
const byId = <R extends { id: unknown }>(rows: R[], name: (r: R) => Named) =>
  new Map(rows.map((r) => [String(r.id), name(r)]));

/**
 * One query per subject type present on the page (never one per event), each by primary key or by
 * the bids' unique reference. The links go to the record's own page, which checks the reader again.
 */
const resolvers: Record<string, Resolver> = {
  async user(db, ids, t, reader) {
    const rows = await db('users').whereIn('id', numeric(ids)).select('id', 'display_name', 'username');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.user', { name: r.display_name, username: r.username }),
      href: reader.role === 'admin' ? `/admin/users/${r.id}/edit` : null,
    }));
  },
  async call(db, ids, t) {
    const rows = await db('calls').whereIn('id', numeric(ids)).select('id', 'title');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.titled', { title: r.title }),
      href: `/calls/${r.id}`,
    }));
  },
  async bid(db, ids, t) {
    // Events name a bid by its public reference (older installs by id): both are indexed.
    const rows = await db('bids as b')
      .join('organizations as o', 'o.id', 'b.organization_id')
      .join('calls as c', 'c.id', 'b.call_id')
      .where((qb) => qb.whereIn('b.ref', ids).orWhereIn('b.id', numeric(ids)))
      .select('b.id', 'b.ref', 'o.name as org', 'c.title as call');
    const map = new Map<string, Named>();
    for (const r of rows) {
      const named = { name: t('auditTrail.subjectNames.bid', { org: r.org, call: r.call }), href: `/bids/${r.ref}` };
      map.set(String(r.ref), named);
      map.set(String(r.id), named);
    }
    return map;
  },
  async contract(db, ids, t) {
    const rows = await db('contracts').whereIn('id', numeric(ids)).select('id', 'number', 'title');
    return byId(rows, (r) => ({
      name: `${r.number} ${t('auditTrail.subjectNames.titled', { title: r.title })}`,
      href: `/contracts/${r.id}`,
    }));
  },
  async organization(db, ids, _t, reader) {
    const rows = await db('organizations').whereIn('id', numeric(ids)).select('id', 'name');
    return byId(rows, (r) => ({
      name: r.name,
      href: ['admin', 'auditor', 'manager'].includes(reader.role) ? `/organizations/${r.id}` : `/registry/${r.id}`,
    }));
  },
  async street_office(db, ids, _t, reader) {
    const rows = await db('street_offices').whereIn('id', numeric(ids)).select('id', 'name');
    return byId(rows, (r) => ({
      name: r.name,
      href: reader.role === 'admin' ? `/admin/street-offices/${r.id}/edit` : null,
    }));
  },
  async catalog_item(db, ids) {
    const rows = await db('catalog_items').whereIn('id', numeric(ids)).select('id', 'code', 'name');
    return byId(rows, (r) => ({ name: `${r.name}（${r.code}）`, href: `/catalog/${r.id}` }));
  },
  async award(db, ids, t) {
    const rows = await db('awards as a')
      .join('calls as c', 'c.id', 'a.call_id')
      .whereIn('a.id', numeric(ids))
      .select('a.id', 'c.title');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.titled', { title: r.title }),
      href: `/awards/${r.id}`,
    }));
  },
  async objection(db, ids, t) {
    const rows = await db('objections as x')
      .join('calls as c', 'c.id', 'x.call_id')
      .join('organizations as o', 'o.id', 'x.organization_id')
      .whereIn('x.id', numeric(ids))
      .select('x.id', 'x.award_id', 'c.title as call', 'o.name as org');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.objection', { org: r.org, call: r.call }),
      href: `/awards/${r.award_id}/objections/${r.id}`,
    }));
  },
  async fund_entry(db, ids, t) {
    const rows = await db('fund_entries as f')
      .join('street_offices as s', 's.id', 'f.street_office_id')
      .whereIn('f.id', numeric(ids))
      .select('f.id', 'f.street_office_id', 'f.year', 'f.source', 's.name as street');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.fundEntry', {
        street: r.street,
        year: r.year,
        source: t(`funds.sources.${r.source}`, { defaultValue: r.source }),
      }),
      href: `/funds/streets/${r.street_office_id}/years/${r.year}`,
    }));
  },
  async milestone_evaluation(db, ids, t) {
    const rows = await db('milestone_evaluations as m')
      .join('contracts as c', 'c.id', 'm.contract_id')
      .whereIn('m.id', numeric(ids))
      .select('m.id', 'm.contract_id', 'm.milestone_seq', 'c.number');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.evaluation', { contract: r.number, seq: r.milestone_seq }),
      href: `/contracts/${r.contract_id}/milestones/${r.milestone_seq}/report`,
    }));
  },
  async milestone_report(db, ids, t) {
    const rows = await db('milestone_reports as m')
      .join('contracts as c', 'c.id', 'm.contract_id')
      .whereIn('m.id', numeric(ids))
      .select('m.id', 'm.contract_id', 'm.milestone_seq', 'm.version', 'c.number');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.report', { contract: r.number, seq: r.milestone_seq, version: r.version }),
      href: `/contracts/${r.contract_id}/milestones/${r.milestone_seq}/report`,
    }));
  },
  // The payments, evaluations (review, citizen ratings) and reports branches' records: a milestone's
  // thing, named by contract number and milestone, linked to the page that shows it.
  payment: milestoneThing('payments', 'payment', (r) => `/payments/${r.id}`),
  payment_proposal: milestoneThing('payment_proposals', 'paymentProposal', (r) => `/payments/proposals/${r.id}`),
  payment_invoice: milestoneThing('payment_invoices', 'invoice', (r) => `/contracts/${r.contract_id}`),
  rating_round: milestoneThing(
    'rating_rounds',
    'ratingRound',
    (r) => `/contracts/${r.contract_id}/milestones/${r.milestone_seq}/report`,
  ),
  async evaluation_review(db, ids, t) {
    const rows = await db('evaluation_reviews as x')
      .join('milestone_evaluations as m', 'm.id', 'x.evaluation_id')
      .join('contracts as c', 'c.id', 'm.contract_id')
      .whereIn('x.id', numeric(ids))
      .select('x.id', 'm.contract_id', 'm.milestone_seq', 'c.number');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.milestoneOf', {
        contract: r.number,
        seq: r.milestone_seq,
        what: t('auditTrail.subjectNames.review'),
      }),
      href: `/contracts/${r.contract_id}/milestones/${r.milestone_seq}/report`,
    }));
  },
  async audit_finding(db, ids, t) {
    const rows = await db('audit_findings').whereIn('id', numeric(ids)).select('id', 'title');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.finding', { title: r.title }),
      href: `/findings/${r.id}`,
    }));
  },
  // A report is named by its kind (the subject id), not stored as a row.
  async report(_db, ids, t) {
    return new Map(
      ids.map((id) => [
        id,
        {
          name: `${t('auditTrail.subjectTypes.report')} ${t(`reports.titles.${id}`, { defaultValue: id })}`,
          href: null,
        },
      ]),
    );
  },
};

/** A row with contract_id and milestone_seq, named "合同 X 第 n 期里程碑的<what>". */
function milestoneThing(
  table: string,
  what: string,
  href: (r: { id: number; contract_id: number; milestone_seq: number }) => string,
): Resolver {
  return async (db, ids, t) => {
    const rows = await db(`${table} as x`)
      .join('contracts as c', 'c.id', 'x.contract_id')
      .whereIn('x.id', numeric(ids))
      .select('x.id', 'x.contract_id', 'x.milestone_seq', 'c.number');
    return byId(rows, (r) => ({
      name: t('auditTrail.subjectNames.milestoneOf', {
        contract: r.number,
        seq: r.milestone_seq,
        what: t(`auditTrail.subjectNames.${what}`),
      }),
      href: href(r),
    }));
  };
}

/** Subject types that name a record: a test holds every type the code base writes to this list. */
export const RESOLVED_SUBJECT_TYPES = Object.keys(resolvers);

function actorOf(e: EventCore, users: Map<string, Named>, t: TFunction): Named {
  if (e.actor_user_id !== null && e.actor_user_id !== undefined) {
    const found = users.get(String(e.actor_user_id));
    if (found) return found;
  }
  if (e.actor_label === 'system') return { name: t('auditTrail.actorSystem'), href: null };
  if (e.actor_label === 'anonymous') return { name: t('auditTrail.actorAnonymous'), href: null };
  return { name: e.actor_label, href: null };
}

function fallbackSubject(e: EventCore, t: TFunction): Named | null {
  if (e.subject_type === 'system') return null;
  const type = t(`auditTrail.subjectTypes.${e.subject_type}`, { defaultValue: e.subject_type });
  // A record gone (or of a type without a resolver) still says what it was.
  return { name: e.subject_id ? t('auditTrail.subjectNames.gone', { type, id: e.subject_id }) : type, href: null };
}

/** Names the actor and the subject of each event and gives it its sentence, in a few queries. */
export async function describeEvents<T extends EventCore>(
  db: Queryable,
  events: T[],
  reader: Reader,
  t: TFunction,
  lang: Language,
): Promise<Described<T>[]> {
  const idsByType = new Map<string, string[]>();
  const want = (type: string, id: string | null | undefined) => {
    if (id === null || id === undefined) return;
    if (!idsByType.has(type)) idsByType.set(type, []);
    idsByType.get(type)!.push(String(id));
  };
  for (const e of events) {
    if (e.actor_user_id !== null && e.actor_user_id !== undefined) want('user', String(e.actor_user_id));
    if (resolvers[e.subject_type]) want(e.subject_type, e.subject_id);
  }
  const named = new Map<string, Map<string, Named>>();
  for (const [type, ids] of idsByType) {
    try {
      named.set(type, await resolvers[type](db, [...new Set(ids)], t, reader));
    } catch {
      // A table another module owns and has changed (or not created here): the event still reads,
      // with the subject's type and number, rather than failing the whole page.
      named.set(type, new Map());
    }
  }
  const users = named.get('user') ?? new Map<string, Named>();
  return events.map((e) => ({
    ...e,
    actor: actorOf(e, users, t),
    subject: (e.subject_id !== null && named.get(e.subject_type)?.get(String(e.subject_id))) || fallbackSubject(e, t),
    sentence: actionSentence(e.action, lang),
  }));
}
