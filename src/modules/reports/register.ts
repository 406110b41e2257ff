import type { TFunction } from 'i18next';
import type { Queryable } from '../../db/knex';
import { makePage, type Page } from '../../shared/pagination';
import { gradeOf } from '../evaluations';
import type { Column, Row, Section } from './export/model';
import type { Period } from './period';
import { registerQuery, registerRows, registerTotals } from './queries';

/** 合同台账: one row per contract. */
export function registerColumns(t: TFunction): Column[] {
  const h = (k: string) => t(`reports.register.columns.${k}`);
  return [
    { key: 'number', header: h('number'), type: 'text', width: 16 },
    { key: 'street', header: h('street'), type: 'text', pdf: false, width: 12 },
    { key: 'organization', header: h('organization'), type: 'text', width: 30 },
    { key: 'creditCode', header: h('creditCode'), type: 'text', pdf: false, width: 20 },
    { key: 'category', header: h('category'), type: 'text', pdf: false, width: 14 },
    { key: 'service', header: h('service'), type: 'text', width: 30, pdf: false },
    { key: 'method', header: h('method'), type: 'text', pdf: false, width: 12 },
    { key: 'fundingMode', header: h('fundingMode'), type: 'text', pdf: false, width: 12 },
    { key: 'amount', header: h('amount'), type: 'money', width: 14 },
    { key: 'signingDate', header: h('signingDate'), type: 'date', width: 12 },
    { key: 'status', header: h('status'), type: 'text', width: 12 },
    { key: 'paid', header: h('paid'), type: 'money', width: 14 },
    { key: 'outstanding', header: h('outstanding'), type: 'money', width: 14 },
    { key: 'reclaimed', header: h('reclaimed'), type: 'money', width: 14, pdf: false },
    { key: 'notPayable', header: h('notPayable'), type: 'money', width: 14, pdf: false },
    { key: 'remaining', header: h('remaining'), type: 'money', width: 14 },
    { key: 'settled', header: h('settled'), type: 'text', width: 11 },
    { key: 'meanScore', header: h('meanScore'), type: 'score', width: 10 },
    { key: 'grade', header: h('grade'), type: 'text', width: 10, pdf: false },
  ];
}

type DbRow = Record<string, unknown>;

/** A database row of registerRows as the report shows it (labels in the reader's language). */
export function registerRow(r: DbRow, t: TFunction, lang: string): Row & { id: number } {
  const mean = r.mean_score === null || r.mean_score === undefined ? null : Number(r.mean_score);
  return {
    id: Number(r.id),
    number: String(r.number),
    street: String(r.street_name),
    organization: String(r.organization_name),
    creditCode: String(r.credit_code ?? ''),
    category: String(lang === 'en' ? r.category_en : r.category_zh),
    service: String(r.title),
    method: t(`catalog.method.${r.method}`),
    fundingMode: t(`calls.fundingMode.${r.funding_mode}`),
    amount: Number(r.amount_fen),
    signingDate: (r.signing_date as string | null) ?? null,
    status: t(`contracts.status.${r.status}`),
    paid: Number(r.paid_fen),
    outstanding: Number(r.outstanding_fen),
    reclaimed: Number(r.reclaimed_fen),
    notPayable: Number(r.not_payable_fen),
    remaining: Number(r.remaining_fen),
    settled: `${Number(r.settled)}/${Number(r.milestones)}`,
    meanScore: mean,
    grade: mean === null ? '' : t(`evaluations.grade.${gradeOf(mean)}`),
  };
}

export const REGISTER_PAGE_SIZE = 50;

/** One page of the register for the screen, with the totals of the whole register. */
export async function registerPage(
  db: Queryable,
  streetIds: number[],
  p: Period,
  page: number,
  t: TFunction,
  lang: string,
) {
  const [totals, rows] = await Promise.all([
    registerTotals(db, streetIds, p),
    registerRows(db, streetIds, p)
      .limit(REGISTER_PAGE_SIZE)
      .offset((page - 1) * REGISTER_PAGE_SIZE),
  ]);
  const items = (rows as DbRow[]).map((r) => registerRow(r, t, lang));
  return { page: makePage(items, totals.count, page, REGISTER_PAGE_SIZE) as Page<Row & { id: number }>, totals };
}

async function* mapped(source: AsyncIterable<DbRow>, t: TFunction, lang: string): AsyncIterable<Row> {
  for await (const r of source) yield registerRow(r, t, lang);
}

/** The register as an export section: the rows streamed from the database, the total row from SQL sums. */
export async function registerSection(
  db: Queryable,
  streetIds: number[],
  p: Period,
  t: TFunction,
  lang: string,
): Promise<{ section: Section; count: number }> {
  const totals = await registerTotals(db, streetIds, p);
  const stream = registerRows(db, streetIds, p).stream() as unknown as AsyncIterable<DbRow>;
  return {
    count: totals.count,
    section: {
      name: t('reports.register.title'),
      note: t('reports.register.note'),
      columns: registerColumns(t),
      rows: mapped(stream, t, lang),
      total: {
        number: t('reports.total'),
        organization: t('reports.contractCount', { count: totals.count }),
        amount: totals.amountFen,
        paid: totals.paidFen,
        outstanding: totals.outstandingFen,
        reclaimed: totals.reclaimedFen,
        notPayable: totals.notPayableFen,
        remaining: totals.remainingFen,
      },
    },
  };
}

export { registerQuery };
