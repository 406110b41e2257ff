import type { TFunction } from 'i18next';
import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { makePage } from '../../shared/pagination';
import { FUND_SOURCES } from '../funds';
import { paymentJournalQuery } from '../payments';
import { gradeOf } from '../evaluations';
import { beijingDateTime, fenToDecimal, type Column, type Row, type Section } from './export/model';
import { utcBounds, type Period } from './period';

/**
 * 支付明细: every release, withheld settlement and reversal (追回) of the scope, approved in the period
 * (Beijing days, `approved_at`), from the payments module's `paymentJournalQuery` (its README names
 * the columns). Amounts are signed here: a reversal is negative, so that the total is what was paid
 * net, the same figure as the fund report's paid. Served by payments_street_time_idx.
 */
export function journalQuery(db: Queryable, streetIds: number[], p: Period): Knex.QueryBuilder {
  const { from, to } = utcBounds(p);
  return paymentJournalQuery(db, { streetOfficeIds: streetIds, from, to });
}

const sign = (kind: unknown) => (kind === 'reversal' ? -1 : 1);

export function journalColumns(t: TFunction): Column[] {
  const h = (k: string) => t(`reports.payments.columns.${k}`);
  return [
    { key: 'payment', header: h('payment'), type: 'int', width: 6 },
    { key: 'kind', header: h('kind'), type: 'text', width: 8 },
    { key: 'street', header: h('street'), type: 'text', width: 12, pdf: false },
    { key: 'number', header: h('number'), type: 'text', width: 19 },
    { key: 'organization', header: h('organization'), type: 'text', width: 28, pdf: false },
    { key: 'milestone', header: h('milestone'), type: 'int', width: 5 },
    { key: 'score', header: h('score'), type: 'score', width: 9 },
    { key: 'grade', header: h('grade'), type: 'text', width: 8, pdf: false },
    { key: 'amount', header: h('amount'), type: 'money', width: 14 },
    ...FUND_SOURCES.map((s): Column => ({
      key: s,
      header: t(`funds.sources.${s}`),
      type: 'money',
      width: 14,
      pdf: false,
    })),
    { key: 'bySourceText', header: h('bySource'), type: 'text', width: 27, pdfOnly: true },
    { key: 'proposer', header: h('proposer'), type: 'text', width: 12, pdf: false },
    { key: 'approver', header: h('approver'), type: 'text', width: 12, pdf: false },
    { key: 'proposedAt', header: h('proposedAt'), type: 'datetime', width: 17, pdf: false },
    { key: 'approvedAt', header: h('approvedAt'), type: 'datetime', width: 17, pdf: false },
    { key: 'proposedText', header: h('proposed'), type: 'text', width: 22, pdfOnly: true },
    { key: 'approvedText', header: h('approved'), type: 'text', width: 22, pdfOnly: true },
    { key: 'voucher', header: h('voucher'), type: 'text', width: 16, pdf: false },
    { key: 'paidOn', header: h('paidOn'), type: 'date', width: 12, pdf: false },
    { key: 'entries', header: h('entries'), type: 'text', width: 11 },
  ];
}

const yuanText = (fen: number) => {
  const [whole, cents] = fenToDecimal(fen).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${cents}`;
};

/** The PDF's one cell for the amount per source: a line per source that gave anything. */
function bySourceText(amounts: Record<string, number>, t: TFunction): string {
  return FUND_SOURCES.filter((src) => amounts[src])
    .map((src) => `${t(`funds.sources.${src}`)} ${yuanText(amounts[src])}`)
    .join('\n');
}

function journalRow(r: Record<string, unknown>, t: TFunction, streets: Map<number, string>): Row {
  const s = sign(r.kind);
  const amounts = Object.fromEntries(FUND_SOURCES.map((src) => [src, s * Number(r[`${src}_fen`] ?? 0)]));
  const score = r.score === null || r.score === undefined ? null : Number(r.score);
  return {
    payment: Number(r.payment_id),
    kind: t(`reports.payments.kinds.${r.kind}`),
    street: streets.get(Number(r.street_office_id)) ?? '',
    number: String(r.contract_number),
    contractId: Number(r.contract_id),
    organization: String(r.organization_name),
    milestone: Number(r.milestone_seq),
    score,
    grade: r.grade ? t(`evaluations.grade.${r.grade}`) : score === null ? '' : t(`evaluations.grade.${gradeOf(score)}`),
    amount: s * Number(r.amount_fen),
    ...amounts,
    bySourceText: bySourceText(amounts, t),
    proposer: String(r.proposer_name),
    approver: String(r.approver_name),
    proposedAt: String(r.proposed_at),
    approvedAt: String(r.approved_at),
    proposedText: `${String(r.proposer_name)}\n${beijingDateTime(String(r.proposed_at))}`,
    approvedText: `${String(r.approver_name)}\n${beijingDateTime(String(r.approved_at))}`,
    voucher: (r.voucher_ref as string | null) ?? '',
    paidOn: (r.paid_on as string | null) ?? null,
    entries: r.ledger_entry_ids
      ? String(r.ledger_entry_ids)
          .split(',')
          .map((id) => `#${id}`)
          .join(' ')
      : '',
  };
}

/** Count and signed sums (amount and each source) of the journal, in the database. */
export async function journalTotals(db: Queryable, streetIds: number[], p: Period) {
  const inner = journalQuery(db, streetIds, p).clearOrder().as('j');
  const signed = (col: string) =>
    `CAST(COALESCE(SUM(CASE WHEN kind = 'reversal' THEN -${col} ELSE ${col} END), 0) AS BIGINT)`;
  const row = await db
    .from(inner)
    .first(
      db.raw('COUNT(*) AS n'),
      db.raw(`${signed('amount_fen')} AS total`),
      ...FUND_SOURCES.map((s) => db.raw(`${signed(`${s}_fen`)} AS ${s}`)),
    );
  return {
    count: Number(row?.n ?? 0),
    totalFen: Number(row?.total ?? 0),
    bySource: Object.fromEntries(FUND_SOURCES.map((s) => [s, Number(row?.[s] ?? 0)])) as Record<string, number>,
  };
}

const streetNames = async (db: Queryable, ids: number[]) =>
  new Map(
    (
      await db('street_offices')
        .whereIn('id', ids.length ? ids : [0])
        .select('id', 'name')
    ).map((s: { id: number; name: string }) => [Number(s.id), s.name] as const),
  );

export const JOURNAL_PAGE_SIZE = 50;

export async function journalPage(db: Queryable, streetIds: number[], p: Period, page: number, t: TFunction) {
  const [totals, rows, streets] = await Promise.all([
    journalTotals(db, streetIds, p),
    journalQuery(db, streetIds, p)
      .limit(JOURNAL_PAGE_SIZE)
      .offset((page - 1) * JOURNAL_PAGE_SIZE),
    streetNames(db, streetIds),
  ]);
  return {
    page: makePage(
      (rows as Record<string, unknown>[]).map((r) => journalRow(r, t, streets)),
      totals.count,
      page,
      JOURNAL_PAGE_SIZE,
    ),
    totals,
  };
}

async function* mapped(
  source: AsyncIterable<Record<string, unknown>>,
  t: TFunction,
  streets: Map<number, string>,
): AsyncIterable<Row> {
  for await (const r of source) yield journalRow(r, t, streets);
}

export async function journalSection(
  db: Queryable,
  streetIds: number[],
  p: Period,
  t: TFunction,
): Promise<{ section: Section; count: number }> {
  const totals = await journalTotals(db, streetIds, p);
  const streets = await streetNames(db, streetIds);
  return {
    count: totals.count,
    section: {
      name: t('reports.payments.title'),
      columns: journalColumns(t),
      rows: mapped(
        journalQuery(db, streetIds, p).stream() as unknown as AsyncIterable<Record<string, unknown>>,
        t,
        streets,
      ),
      total: {
        kind: t('reports.total'),
        number: t('reports.entryCount', { count: totals.count }),
        amount: totals.totalFen,
        ...totals.bySource,
        bySourceText: bySourceText(totals.bySource, t),
      },
    },
  };
}
