import type { TFunction } from 'i18next';
import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { makePage } from '../../shared/pagination';
import type { Column, Row, Section } from './export/model';
import { utcBounds, type Period } from './period';

/**
 * 支付明细: every payment and reversal of the scope and period, one row per ledger entry
 * (fund_entries of kind payment / payment_reversal, the source of each part), with its contract.
 * Year mode: entries of that budget year; range mode: entries written in the range.
 * Served by fund_entries_paid_month_idx (street_office_id, kind, created_at).
 */
export function journalQuery(db: Queryable, streetIds: number[], p: Period): Knex.QueryBuilder {
  const q = db('fund_entries as e')
    .leftJoin('contracts as c', 'c.id', 'e.contract_id')
    .leftJoin('organizations as o', 'o.id', 'c.organization_id')
    .leftJoin('users as u', 'u.id', 'e.created_by')
    .join('street_offices as s', 's.id', 'e.street_office_id')
    .whereIn('e.street_office_id', streetIds.length ? streetIds : [0])
    .whereIn('e.kind', ['payment', 'payment_reversal']);
  if (p.kind === 'year') q.where('e.year', p.year);
  else {
    const { from, to } = utcBounds(p);
    q.where('e.created_at', '>=', from).where('e.created_at', '<', to);
  }
  return q;
}

const signed = "CASE WHEN e.kind = 'payment_reversal' THEN -e.amount_fen ELSE e.amount_fen END";

const journalRows = (db: Queryable, streetIds: number[], p: Period) =>
  journalQuery(db, streetIds, p)
    .select('e.id', 'e.kind', 'e.source', 'e.created_at', 'e.reverses_entry_id', 'e.note', 'c.id as contract_id', 'c.number', 'o.name as organization_name', 's.name as street_name', 'u.display_name as by_name', db.raw(`${signed} AS amount_fen`))
    .orderBy('e.id');

export function journalColumns(t: TFunction): Column[] {
  const h = (k: string) => t(`reports.payments.columns.${k}`);
  return [
    { key: 'entry', header: h('entry'), type: 'int', width: 10 },
    { key: 'time', header: h('time'), type: 'datetime', width: 17 },
    { key: 'kind', header: h('kind'), type: 'text', width: 10 },
    { key: 'street', header: h('street'), type: 'text', width: 12, pdf: false },
    { key: 'number', header: h('number'), type: 'text', width: 16 },
    { key: 'organization', header: h('organization'), type: 'text', width: 30 },
    { key: 'source', header: h('source'), type: 'text', width: 14 },
    { key: 'amount', header: h('amount'), type: 'money', width: 14 },
    { key: 'reverses', header: h('reverses'), type: 'text', width: 10 },
    { key: 'by', header: h('by'), type: 'text', width: 14 },
    { key: 'note', header: h('note'), type: 'text', width: 30, pdf: false },
  ];
}

function journalRow(r: Record<string, unknown>, t: TFunction): Row {
  return {
    entry: Number(r.id),
    time: String(r.created_at),
    kind: t(`funds.kinds.${r.kind}`),
    street: String(r.street_name),
    number: (r.number as string | null) ?? '',
    organization: (r.organization_name as string | null) ?? '',
    source: t(`funds.sources.${r.source}`),
    amount: Number(r.amount_fen),
    reverses: r.reverses_entry_id ? `#${r.reverses_entry_id}` : '',
    by: (r.by_name as string | null) ?? '',
    note: (r.note as string | null) ?? '',
    contractId: r.contract_id === null ? null : Number(r.contract_id),
  };
}

export async function journalTotals(db: Queryable, streetIds: number[], p: Period) {
  const row = await journalQuery(db, streetIds, p).first(db.raw('COUNT(*) AS n'), db.raw(`CAST(COALESCE(SUM(${signed}), 0) AS BIGINT) AS total`));
  return { count: Number(row?.n ?? 0), totalFen: Number(row?.total ?? 0) };
}

export const JOURNAL_PAGE_SIZE = 50;

export async function journalPage(db: Queryable, streetIds: number[], p: Period, page: number, t: TFunction) {
  const [totals, rows] = await Promise.all([journalTotals(db, streetIds, p), journalRows(db, streetIds, p).limit(JOURNAL_PAGE_SIZE).offset((page - 1) * JOURNAL_PAGE_SIZE)]);
  return { page: makePage((rows as Record<string, unknown>[]).map((r) => journalRow(r, t)), totals.count, page, JOURNAL_PAGE_SIZE), totals };
}

async function* mapped(source: AsyncIterable<Record<string, unknown>>, t: TFunction): AsyncIterable<Row> {
  for await (const r of source) yield journalRow(r, t);
}

export async function journalSection(db: Queryable, streetIds: number[], p: Period, t: TFunction): Promise<{ section: Section; count: number }> {
  const totals = await journalTotals(db, streetIds, p);
  return {
    count: totals.count,
    section: {
      name: t('reports.payments.title'),
      columns: journalColumns(t),
      rows: mapped(journalRows(db, streetIds, p).stream() as unknown as AsyncIterable<Record<string, unknown>>, t),
      total: { kind: t('reports.total'), organization: t('reports.entryCount', { count: totals.count }), amount: totals.totalFen },
    },
  };
}
