import type { TFunction } from 'i18next';
import { formatMoney, growthBasisPoints } from '../../shared/money';
import type { Queryable } from '../../db/knex';
import { FUND_SOURCES } from '../funds';
import { ANNUAL_FLOOR_FEN } from '../funds';
import type { Column, Section } from './export/model';
import { monthsOf, yearsOf, type Period } from './period';
import {
  FIGURES,
  allocatedByStreetYear,
  balancesByStreetSource,
  byCategory,
  byOrganization,
  ledgerBySource,
  ledgerByStreetSource,
  paidByMonth,
  type Figures,
} from './queries';
import type { Scope } from './policy';

export type Figure = (typeof FIGURES)[number];
const ZERO: Figures = { allocated: 0, reserved: 0, committed: 0, paid: 0 };
const available = (f: Figures) => f.allocated - f.reserved - f.committed - f.paid;

export interface Mismatch {
  streetOfficeId: number;
  street: string;
  year: number;
  source: string;
  figure: Figure;
  ledgerFen: number;
  balanceFen: number | null;
}

export interface FundReport {
  mode: Period['kind'];
  years: number[];
  /** Per source: the report's figures (year: balance rows; range: movements of the period in the ledger). */
  bySource: {
    source: string;
    figures: Figures;
    available: number;
    ledger: Figures;
    balance: Figures | null;
    mismatch: boolean;
  }[];
  total: { figures: Figures; available: number; ledger: Figures; balance: Figures | null };
  /** The ledger check over the street-years of the report: fund_entries against fund_accounts. */
  check: LedgerCheck;
  byCategory: Awaited<ReturnType<typeof byCategory>>;
  byOrganization: Awaited<ReturnType<typeof byOrganization>>;
  /** The total rows of the two tables above: the sums of their rows, in fen. */
  categoryTotal: Figures;
  organizationTotal: Figures;
  months: { month: string; bySource: Record<string, number>; total: number }[];
  /** Year mode: allocated per street office against the annual floor and the year before. */
  streetYears: {
    street: string;
    allocated: number;
    previous: number | null;
    belowFloor: boolean;
    growthBp: number | null;
  }[];
}

const add = (a: Figures, b: Figures): Figures => ({
  allocated: a.allocated + b.allocated,
  reserved: a.reserved + b.reserved,
  committed: a.committed + b.committed,
  paid: a.paid + b.paid,
});

export interface LedgerCheck {
  ok: boolean;
  ledger: Figures;
  balance: Figures;
  mismatches: Mismatch[];
}

type StreetSourceRow = Figures & { streetOfficeId: number; year: number; source: string };

/** The check: every street-year-source on either side, each figure compared; the totals of both sides. */
function compareLedger(ledgerRows: StreetSourceRow[], balanceRows: StreetSourceRow[], scope: Scope) {
  const key = (r: { streetOfficeId: number; year: number; source: string }) =>
    `${r.streetOfficeId}/${r.year}/${r.source}`;
  const ledgerMap = new Map(ledgerRows.map((r) => [key(r), r]));
  const balanceMap = new Map(balanceRows.map((r) => [key(r), r]));
  const names = new Map(scope.streets.map((s) => [s.id, s.name]));
  const mismatches: Mismatch[] = [];
  let ledgerTotal = ZERO;
  let balanceTotal = ZERO;
  const ledgerBySourceYear = new Map<string, Figures>();
  const balanceBySourceYear = new Map<string, Figures>();
  for (const k of [...new Set([...ledgerMap.keys(), ...balanceMap.keys()])].sort()) {
    const l = ledgerMap.get(k);
    const b = balanceMap.get(k);
    const base = (l ?? b)!;
    const lf: Figures = l ?? ZERO;
    ledgerTotal = add(ledgerTotal, lf);
    ledgerBySourceYear.set(base.source, add(ledgerBySourceYear.get(base.source) ?? ZERO, lf));
    if (b) {
      balanceTotal = add(balanceTotal, b);
      balanceBySourceYear.set(base.source, add(balanceBySourceYear.get(base.source) ?? ZERO, b));
    }
    for (const f of FIGURES) {
      const bv = b ? b[f] : null;
      if ((bv ?? 0) !== lf[f] || (!b && lf[f] !== 0))
        mismatches.push({
          streetOfficeId: base.streetOfficeId,
          street: names.get(base.streetOfficeId) ?? `#${base.streetOfficeId}`,
          year: base.year,
          source: base.source,
          figure: f,
          ledgerFen: lf[f],
          balanceFen: bv,
        });
    }
  }
  const check: LedgerCheck = { ok: mismatches.length === 0, ledger: ledgerTotal, balance: balanceTotal, mismatches };
  return { check, ledgerBySourceYear, balanceBySourceYear };
}

/**
 * The ledger check alone, for the street-years of a report that is not the fund report (the register
 * and the journal carry it on their parameters sheet): the same two independent computations.
 */
export async function ledgerCheck(db: Queryable, scope: Scope, p: Period): Promise<LedgerCheck & { years: number[] }> {
  const years = yearsOf(p);
  const [ledgerRows, balanceRows] = await Promise.all([
    ledgerByStreetSource(db, scope.streetOfficeIds, years),
    balancesByStreetSource(db, scope.streetOfficeIds, years),
  ]);
  return { ...compareLedger(ledgerRows, balanceRows, scope).check, years };
}

/**
 * 专项资金报告. Every figure is a database sum (queries.ts). The ledger check compares two independent
 * computations per street office, year and source — the ledger entries (fund_entries, summed kind by
 * kind) and the balance rows (fund_accounts) — and names each difference; the totals of both are shown.
 * Combining the per-source and per-street aggregates below adds a handful of already-summed figures.
 */
export async function fundReport(db: Queryable, scope: Scope, p: Period): Promise<FundReport> {
  const ids = scope.streetOfficeIds;
  const years = yearsOf(p);
  const [ledgerRows, balanceRows, periodLedger, categories, organizations, paid, allocated] = await Promise.all([
    ledgerByStreetSource(db, ids, years),
    balancesByStreetSource(db, ids, years),
    ledgerBySource(db, ids, p),
    byCategory(db, ids, p),
    byOrganization(db, ids, p),
    paidByMonth(db, ids, p),
    p.kind === 'year'
      ? allocatedByStreetYear(db, ids, [p.year, p.year - 1])
      : Promise.resolve([] as Awaited<ReturnType<typeof allocatedByStreetYear>>),
  ]);

  const { check, ledgerBySourceYear, balanceBySourceYear } = compareLedger(ledgerRows, balanceRows, scope);
  const { mismatches } = check;

  const bySource = FUND_SOURCES.map((source) => {
    const ledger = ledgerBySourceYear.get(source) ?? ZERO;
    const balance = balanceBySourceYear.get(source) ?? ZERO;
    const figures = p.kind === 'year' ? balance : (periodLedger.get(source) ?? ZERO);
    return {
      source,
      figures,
      available: available(figures),
      ledger,
      balance: p.kind === 'year' ? balance : null,
      mismatch: mismatches.some((m) => m.source === source),
    };
  });
  const totalFigures = bySource.reduce((a, r) => add(a, r.figures), ZERO);

  const months = monthsOf(p).map((month) => {
    const here = paid.filter((r) => r.month === month);
    const bs = Object.fromEntries(FUND_SOURCES.map((s) => [s, here.find((r) => r.source === s)?.paid ?? 0]));
    return { month, bySource: bs, total: here.reduce((a, r) => a + r.paid, 0) };
  });

  const streetYears =
    p.kind === 'year'
      ? scope.streets.map((s) => {
          const cur = allocated.find((r) => r.streetOfficeId === s.id && r.year === p.year)?.allocated ?? 0;
          const prev = allocated.find((r) => r.streetOfficeId === s.id && r.year === p.year - 1)?.allocated;
          const previous = prev === undefined || prev === 0 ? null : prev;
          return {
            street: s.name,
            allocated: cur,
            previous,
            belowFloor: cur < ANNUAL_FLOOR_FEN,
            growthBp: growthBasisPoints(cur, previous),
          };
        })
      : [];

  return {
    mode: p.kind,
    years,
    bySource,
    total: {
      figures: totalFigures,
      available: available(totalFigures),
      ledger: check.ledger,
      balance: p.kind === 'year' ? check.balance : null,
    },
    check,
    byCategory: categories,
    byOrganization: organizations,
    // Integer fen added exactly: the rows are already grouped by the database, and a total computed
    // from them cannot differ from their sum (a separate SQL total could, were a row ever filtered).
    categoryTotal: categories.reduce((a, c) => add(a, c), ZERO),
    organizationTotal: organizations.reduce((a, o) => add(a, o), ZERO),
    months,
    streetYears,
  };
}

export const growthText = (bp: number | null) =>
  bp === null
    ? '—'
    : `${bp < 0 ? '-' : '+'}${Math.trunc(Math.abs(bp) / 100)}.${String(Math.abs(bp) % 100).padStart(2, '0')}%`;

/** The sentence naming one mismatch (shown in red on the page, the PDF, the spreadsheet and the CSV). */
export function mismatchText(m: Mismatch, t: TFunction): string {
  return t('reports.funds.mismatch', {
    street: m.street,
    year: m.year,
    source: t(`funds.sources.${m.source}`),
    figure: t(`reports.funds.figures.${m.figure}`),
    ledger: formatMoney(m.ledgerFen),
    balance: m.balanceFen === null ? t('reports.funds.noBalanceRow') : formatMoney(m.balanceFen),
  });
}

/** The fund report's export sections. */
export function fundSections(r: FundReport, t: TFunction, lang: string): Section[] {
  const h = (k: string) => t(`reports.funds.columns.${k}`);
  const money = (key: string, header: string): Column => ({ key, header, type: 'money', width: 15 });
  const sourceCols: Column[] = [
    { key: 'source', header: h('source'), type: 'text', width: 16 },
    money('allocated', h('allocated')),
    money('reserved', h('reserved')),
    money('committed', h('committed')),
    money('paid', h('paid')),
    money('available', h('available')),
    { ...money('ledgerAllocated', h('ledgerAllocated')), pdf: false },
    { ...money('ledgerPaid', h('ledgerPaid')), pdf: false },
    { key: 'check', header: h('check'), type: 'text', width: 12 },
  ];
  const flat = (label: string, f: Figures, avail: number, ledger: Figures, mismatch: boolean) => ({
    source: label,
    ...f,
    available: avail,
    ledgerAllocated: ledger.allocated,
    ledgerPaid: ledger.paid,
    check: mismatch ? t('reports.funds.checkMismatch') : t('reports.funds.checkOk'),
    alert: mismatch ? 1 : 0,
  });
  const sections: Section[] = [
    {
      name: t('reports.funds.bySource'),
      columns: sourceCols,
      rows: r.bySource.map((s) => flat(t(`funds.sources.${s.source}`), s.figures, s.available, s.ledger, s.mismatch)),
      total: flat(t('reports.total'), r.total.figures, r.total.available, r.total.ledger, !r.check.ok),
      alertKey: 'alert',
      note: r.mode === 'year' ? t('reports.funds.yearNote') : t('reports.funds.rangeNote'),
    },
    {
      name: t('reports.funds.check'),
      columns: [
        { key: 'what', header: h('what'), type: 'text', width: 30 },
        money('allocated', h('allocated')),
        money('reserved', h('reserved')),
        money('committed', h('committed')),
        money('paid', h('paid')),
      ],
      rows: [
        { what: t('reports.funds.fromLedger'), ...r.check.ledger },
        { what: t('reports.funds.fromBalances'), ...r.check.balance },
        ...r.check.mismatches.map((m) => ({ what: mismatchText(m, t), alert: 1 })),
      ],
      alertKey: 'alert',
    },
    {
      name: t('reports.funds.byCategory'),
      columns: [
        { key: 'category', header: h('category'), type: 'text', width: 20 },
        money('reserved', h('reserved')),
        money('committed', h('committed')),
        money('paid', h('paid')),
      ],
      rows: r.byCategory.map((c) => ({
        category: lang === 'en' ? c.nameEn : c.nameZh,
        reserved: c.reserved,
        committed: c.committed,
        paid: c.paid,
      })),
      total: { category: t('reports.total'), ...r.categoryTotal },
    },
    {
      name: t('reports.funds.byOrganization'),
      columns: [
        { key: 'organization', header: h('organization'), type: 'text', width: 32 },
        { key: 'creditCode', header: h('creditCode'), type: 'text', width: 20 },
        money('committed', h('committed')),
        money('paid', h('paid')),
      ],
      rows: r.byOrganization.map((o) => ({
        organization: o.name ?? t('reports.funds.unattributed'),
        creditCode: o.creditCode ?? '',
        committed: o.committed,
        paid: o.paid,
      })),
      total: {
        organization: t('reports.total'),
        committed: r.organizationTotal.committed,
        paid: r.organizationTotal.paid,
      },
    },
    {
      name: t('reports.funds.byMonth'),
      columns: [
        { key: 'month', header: h('month'), type: 'text', width: 10 },
        ...FUND_SOURCES.map((s) => money(s, t(`funds.sources.${s}`))),
        money('total', t('reports.total')),
      ],
      rows: r.months.map((m) => ({ month: m.month, ...m.bySource, total: m.total })),
      total: {
        month: t('reports.total'),
        ...Object.fromEntries(FUND_SOURCES.map((s) => [s, r.months.reduce((a, m) => a + (m.bySource[s] ?? 0), 0)])),
        total: r.months.reduce((a, m) => a + m.total, 0),
      },
    },
  ];
  if (r.mode === 'year') {
    sections.push({
      name: t('reports.funds.floor'),
      columns: [
        { key: 'street', header: h('street'), type: 'text', width: 14 },
        money('allocated', h('allocated')),
        money('floor', h('floor')),
        { key: 'floorOk', header: h('floorOk'), type: 'text', width: 10 },
        money('previous', h('previous')),
        { key: 'growth', header: h('growth'), type: 'text', width: 10 },
      ],
      rows: r.streetYears.map((s) => ({
        street: s.street,
        allocated: s.allocated,
        floor: ANNUAL_FLOOR_FEN,
        floorOk: s.belowFloor ? t('reports.funds.belowFloor') : t('reports.funds.atFloor'),
        previous: s.previous,
        growth: growthText(s.growthBp),
        alert: s.belowFloor ? 1 : 0,
      })),
      alertKey: 'alert',
    });
  }
  return sections;
}
