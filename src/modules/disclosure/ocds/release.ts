import type { Queryable } from '../../../db/knex';
import { callData, type CallData } from './data';
import { EXTENSIONS, SOURCE_NAMES, beijingDate, contractStatus, procurementMethod, value } from './mapping';

/**
 * OCDS 1.1 releases of one call, built from CallData (which holds only what is public). One
 * release per event, in date order, each with a stable id: the published call (planning + tender),
 * its cancellation, the award proposed (publicity) and made final, each signed contract, each
 * accepted amendment, and the contract's implementation (milestones met and payments). Each release
 * carries the sections its tag names; the record's compiledRelease carries the present state of all.
 */

export interface OcdsSettings {
  ocidPrefix: string;
  publisherName: string;
  baseUrl: string;
}

const GRADE_NAMES: Record<string, string> = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' };

export type Release = Record<string, unknown> & { ocid: string; id: string; date: string; tag: string[] };

export const ocidOf = (s: OcdsSettings, callId: number) => `${s.ocidPrefix}-call-${callId}`;

/** "ocds-sfdemo-call-12" → 12; anything else (another prefix, not a call, not a number) → null. */
export function callIdOfOcid(s: OcdsSettings, ocid: string): number | null {
  const m = new RegExp(`^${s.ocidPrefix}-call-([1-9]\\d{0,9})$`).exec(ocid);
  if (!m) return null;
  const id = Number(m[1]);
  return id < 2 ** 31 ? id : null;
}

const iso = (stored: string) => new Date(stored).toISOString().replace(/\.\d{3}Z$/, 'Z');

function parties(call: CallData) {
  const buyer = {
    id: `street-office-${call.streetOffice.id}`,
    name: call.streetOffice.name,
    roles: ['buyer', 'procuringEntity', 'payer'],
  };
  const seen = new Map<string, Record<string, unknown>>();
  for (const item of call.award?.items ?? []) {
    const id = partyId(item.organization);
    if (!seen.has(id)) {
      seen.set(id, {
        id,
        name: item.organization.name,
        ...(item.organization.creditCode
          ? { identifier: { scheme: 'CN-USCC', id: item.organization.creditCode, legalName: item.organization.name } }
          : {}),
        roles: ['tenderer', 'supplier', 'payee'],
      });
    }
  }
  return [buyer, ...seen.values()];
}

const partyId = (o: { id: number; creditCode: string | null }) =>
  o.creditCode ? `CN-USCC-${o.creditCode}` : `organization-${o.id}`;

function planning(call: CallData) {
  return {
    rationale: `${call.catalogItemName}（${call.budgetYear} 年度街道公益服务专项资金）`,
    budget: {
      id: `budget-${call.id}`,
      description: `${call.streetOffice.name} ${call.budgetYear} 年度专项资金`,
      amount: value(call.budgetFen),
      budgetBreakdown: call.sources.map((s) => ({
        id: s.source,
        description: SOURCE_NAMES[s.source],
        amount: value(s.amountFen),
        period: {
          startDate: beijingDate(`${call.budgetYear}-01-01`),
          endDate: beijingDate(`${call.budgetYear}-12-31`, true),
        },
      })),
    },
  };
}

function tender(call: CallData, s: OcdsSettings, now: Date) {
  const m = procurementMethod(call.method);
  const closed = now.toISOString() >= call.closesAt;
  const status = call.status === 'cancelled' ? 'cancelled' : call.award?.status === 'final' ? 'complete' : 'active';
  return {
    id: `tender-${call.id}`,
    title: call.title,
    description: call.description,
    status,
    procuringEntity: { id: `street-office-${call.streetOffice.id}`, name: call.streetOffice.name },
    value: value(call.budgetFen),
    procurementMethod: m.method,
    procurementMethodDetails: m.details,
    mainProcurementCategory: 'services',
    awardCriteria: 'ratedCriteria',
    awardCriteriaDetails: call.criteria.map((c) => `${c.name} ${c.weight}%`).join('；'),
    submissionMethod: ['electronicSubmission'],
    tenderPeriod: { startDate: iso(call.opensAt), endDate: iso(call.closesAt) },
    // Sealed until the deadline: not even how many bids there are.
    ...(closed && call.numberOfTenderers !== null ? { numberOfTenderers: call.numberOfTenderers } : {}),
    documents: [
      {
        id: `call-${call.id}`,
        documentType: 'tenderNotice',
        title: call.title,
        url: `${s.baseUrl}/calls/${call.id}`,
        format: 'text/html',
        language: 'zh',
      },
    ],
  };
}

function awards(call: CallData, s: OcdsSettings) {
  if (!call.award) return [];
  const a = call.award;
  return a.items.map((item) => ({
    id: `award-${a.id}-${item.id}`,
    title: `${call.title}（第 ${item.rank} 名）`,
    status: a.status === 'final' ? 'active' : 'pending',
    date: iso(a.finalAt ?? a.proposedAt),
    value: value(item.amountFen),
    suppliers: [{ id: partyId(item.organization), name: item.organization.name }],
    documents: [
      {
        id: `award-notice-${a.id}`,
        documentType: 'awardNotice',
        title: '中标（立项）公示',
        url: `${s.baseUrl}/awards/${a.id}`,
        format: 'text/html',
        language: 'zh',
        datePublished: iso(a.proposedAt),
      },
    ],
  }));
}

function milestoneStatus(c: CallData['contracts'][number], seq: number) {
  const e = c.evaluations.find((x) => x.milestoneSeq === seq);
  const m = c.milestones.find((x) => x.seq === seq)!;
  if (m.advance)
    return m.settlement === 'paid'
      ? { status: 'met', dateMet: m.settledAt ? iso(m.settledAt) : undefined }
      : { status: 'scheduled' };
  if (!e) return { status: 'scheduled' };
  if (e.passed === false)
    return { status: m.settlement === 'partial' ? 'partiallyMet' : 'notMet', dateModified: iso(e.closedAt) };
  return { status: 'met', dateMet: iso(e.closedAt), dateModified: iso(e.closedAt) };
}

function contract(call: CallData, c: CallData['contracts'][number], s: OcdsSettings, withImplementation: boolean) {
  const buyer = { id: `street-office-${call.streetOffice.id}`, name: call.streetOffice.name };
  const item = call.award?.items.find((i) => i.id === c.award_item_id);
  const payee = item
    ? { id: partyId(item.organization), name: item.organization.name }
    : { id: `organization-${c.organization_id}`, name: c.organization_name };
  const milestones = c.milestones.map((m) => {
    const e = c.evaluations.find((x) => x.milestoneSeq === m.seq);
    const result = e
      ? `评估得分 ${(e.score / 100).toFixed(2)}，${GRADE_NAMES[e.grade] ?? e.grade}，${e.stars} 星，市民评价 ${e.citizenRatings} 条。`
      : '';
    const st = milestoneStatus(c, m.seq);
    return {
      id: `milestone-${c.id}-${m.seq}`,
      title: m.title,
      type: m.advance ? 'payment' : 'delivery',
      description: [m.deliverables, result].filter(Boolean).join(' '),
      dueDate: beijingDate(m.dueDate, true),
      ...Object.fromEntries(Object.entries(st).filter(([, v]) => v !== undefined)),
    };
  });
  const out: Record<string, unknown> = {
    id: `contract-${c.id}`,
    awardID: `award-${c.award_id}-${c.award_item_id}`,
    title: `${c.number} ${c.title}`,
    description: c.servicePlan,
    status: contractStatus(c.status),
    period: { startDate: beijingDate(c.period_start), endDate: beijingDate(c.period_end, true) },
    value: value(c.amount_fen),
    dateSigned: iso(c.signed_at),
    documents: [
      {
        id: `contract-${c.id}-pdf`,
        documentType: 'contractSigned',
        title: `${c.number}（公开版，已隐去个人信息）`,
        url: `${s.baseUrl}/public/contracts/${c.id}/contract.pdf`,
        format: 'application/pdf',
        language: 'zh',
      },
      {
        id: `contract-${c.id}-page`,
        documentType: 'contractNotice',
        title: `${c.number} 合同公开信息`,
        url: `${s.baseUrl}/public/contracts/${c.id}`,
        format: 'text/html',
        language: 'zh',
      },
    ],
    milestones: milestones.map(({ id, title, type, dueDate }) => ({ id, title, type, dueDate, status: 'scheduled' })),
    amendments: c.amendments.map((a) => ({
      id: `contract-${c.id}-v${a.version}`,
      ...(a.decidedAt ? { date: iso(a.decidedAt) } : {}),
      rationale: Object.values(a.reasons).join('；'),
      description: a.changes.map((ch) => ch.aspect).join('、'),
    })),
  };
  if (withImplementation) {
    out.implementation = {
      milestones,
      // One transaction per payment and fund source: the source is the street-year's public fund page.
      transactions: c.payments.flatMap((p) => {
        const m = p.milestoneSeq === null ? undefined : c.milestones.find((x) => x.seq === p.milestoneSeq);
        return p.sources.map((x) => ({
          id: `payment-${c.id}-${p.id}-${x.source}`,
          source: `${s.baseUrl}/public/streets/${call.streetOffice.id}/${call.budgetYear}#${x.source}`,
          date: iso(p.date),
          value: value(p.kind === 'reversal' ? -x.amountFen : x.amountFen),
          payer: buyer,
          payee,
          ...(m ? { relatedImplementationMilestone: { id: `milestone-${c.id}-${m.seq}`, title: m.title } } : {}),
        }));
      }),
    };
  }
  return out;
}

/** The call's releases, oldest first. */
export function releasesOf(call: CallData, s: OcdsSettings, now: Date): Release[] {
  const ocid = ocidOf(s, call.id);
  const base = (id: string, date: string, tag: string[]) => ({
    ocid,
    id: `${ocid}-${id}`,
    date: iso(date),
    tag,
    initiationType: 'tender',
    language: 'zh',
  });
  const buyer = { id: `street-office-${call.streetOffice.id}`, name: call.streetOffice.name };
  const all = parties(call);
  const out: Release[] = [
    {
      ...base('tender', call.publishedAt, ['planning', 'tender']),
      parties: [all[0]],
      buyer,
      planning: planning(call),
      tender: tender(call, s, now),
    },
  ];
  if (call.status === 'cancelled' && call.cancelledAt) {
    out.push({
      ...base('tender-cancellation', call.cancelledAt, ['tenderCancellation']),
      parties: [all[0]],
      buyer,
      tender: { ...tender(call, s, now), statusDetails: call.cancelReason ?? undefined },
    });
  }
  if (call.award) {
    out.push({
      ...base(`award-${call.award.id}`, call.award.proposedAt, ['award']),
      parties: all,
      buyer,
      awards: awards(call, s).map((a) => ({ ...a, status: 'pending', date: iso(call.award!.proposedAt) })),
    });
    if (call.award.finalAt)
      out.push({
        ...base(`award-${call.award.id}-final`, call.award.finalAt, ['awardUpdate']),
        parties: all,
        buyer,
        awards: awards(call, s),
      });
  }
  for (const c of call.contracts) {
    out.push({
      ...base(`contract-${c.id}`, c.signed_at, ['contract']),
      parties: all,
      buyer,
      awards: awards(call, s),
      contracts: [{ ...contract(call, c, s, false), amendments: [] }],
    });
    for (const a of c.amendments) {
      if (a.decidedAt)
        out.push({
          ...base(`contract-${c.id}-amendment-${a.version}`, a.decidedAt, ['contractAmendment']),
          parties: all,
          buyer,
          contracts: [contract(call, c, s, false)],
        });
    }
    const events = [...c.payments.map((p) => p.date), ...c.evaluations.map((e) => e.closedAt)].sort();
    if (events.length)
      out.push({
        ...base(`contract-${c.id}-implementation-${events.length}`, events[events.length - 1], ['implementation']),
        parties: all,
        buyer,
        contracts: [contract(call, c, s, true)],
      });
  }
  // Drop empty statusDetails; sort by date (stable) as the record expects.
  return out
    .map((r) => JSON.parse(JSON.stringify(r)) as Release)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The present state of the whole process (the record's compiledRelease). */
export function compiledRelease(call: CallData, s: OcdsSettings, now: Date): Release {
  const releases = releasesOf(call, s, now);
  const last = releases[releases.length - 1];
  const ocid = ocidOf(s, call.id);
  const compiled: Release = {
    ocid,
    id: `${ocid}-compiled-${releases.length}`,
    date: last.date,
    tag: ['compiled'],
    initiationType: 'tender',
    language: 'zh',
    parties: parties(call),
    buyer: { id: `street-office-${call.streetOffice.id}`, name: call.streetOffice.name },
    planning: planning(call),
    tender: tender(call, s, now),
  };
  if (call.award) compiled.awards = awards(call, s);
  if (call.contracts.length) compiled.contracts = call.contracts.map((c) => contract(call, c, s, true));
  return JSON.parse(JSON.stringify(compiled)) as Release;
}

function packageMeta(s: OcdsSettings, uri: string, publishedDate: string) {
  return {
    uri,
    version: '1.1',
    extensions: EXTENSIONS,
    publisher: { name: s.publisherName },
    license: 'https://creativecommons.org/licenses/by/4.0/',
    publicationPolicy: `${s.baseUrl}/public`,
    publishedDate,
  };
}

export function releasePackage(call: CallData, s: OcdsSettings, now: Date) {
  const releases = releasesOf(call, s, now);
  return {
    ...packageMeta(s, `${s.baseUrl}/ocds/releases/${ocidOf(s, call.id)}.json`, releases[releases.length - 1].date),
    releases,
  };
}

export function recordPackage(call: CallData, s: OcdsSettings, now: Date) {
  const ocid = ocidOf(s, call.id);
  const releases = releasesOf(call, s, now);
  const packageUrl = `${s.baseUrl}/ocds/releases/${ocid}.json`;
  return {
    ...packageMeta(s, `${s.baseUrl}/ocds/records/${ocid}.json`, releases[releases.length - 1].date),
    packages: [packageUrl],
    records: [
      {
        ocid,
        releases: releases.map((r) => ({ url: `${packageUrl}#${r.id}`, date: r.date, tag: r.tag })),
        compiledRelease: compiledRelease(call, s, now),
      },
    ],
  };
}

/** The opening of a bulk package whose releases are written one by one after it (streamed). */
export function bulkPackageHead(s: OcdsSettings, uri: string, publishedDate: string): string {
  const meta = JSON.stringify(packageMeta(s, uri, publishedDate));
  return `${meta.slice(0, -1)},"releases":[`;
}

/** The bulk package of these calls as chunks of JSON text, call by call (the handler streams them; the validator joins them). */
export async function* bulkPackageChunks(
  db: Queryable,
  s: OcdsSettings,
  uri: string,
  callIds: number[],
  now: Date,
): AsyncGenerator<string> {
  yield bulkPackageHead(s, uri, now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  let first = true;
  for (const id of callIds) {
    const data = await callData(db, id, now);
    if (!data) continue;
    for (const r of releasesOf(data, s, now)) {
      yield (first ? '' : ',') + JSON.stringify(r);
      first = false;
    }
  }
  yield ']}';
}
