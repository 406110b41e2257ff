import type { Queryable } from '../../db/knex';
import { splitMatrix } from '../../shared/split';
import { FUND_SOURCES, type FundSource } from './ledger';

/**
 * Money held by an award item (and so by the contract made from it), per source, read from the
 * ledger. A final award commits reserved money to each of its items (commitAwardItems); from then on
 * only the functions of movements.ts move it, and every entry they write names the item
 * (award_item_id) and the contract (contract_id, a plain column: contracts belong to another module):
 *
 *   committed(item, source) = commitment + commitment_increase + payment_reversal
 *                             − commitment_release − payment
 *   paid(item, source)      = payment − payment_reversal
 *
 * Each function runs in the CALLER's transaction (the caller writes the audit event), locks the
 * street-year's fund_accounts rows on PostgreSQL in id order before reading what the item holds, so
 * two movements of the same money queue up and the second sees the first's entries, and moves the
 * balance with a conditional UPDATE whose row count is checked.
 */

export interface Holding {
  source: FundSource;
  committedFen: number;
  paidFen: number;
}

export interface PaymentEntry {
  entryId: number;
  source: FundSource;
  amountFen: number;
}

export const COMMITTED_SQL = `CAST(COALESCE(SUM(CASE kind WHEN 'commitment' THEN amount_fen WHEN 'commitment_increase' THEN amount_fen WHEN 'payment_reversal' THEN amount_fen
  WHEN 'commitment_release' THEN -amount_fen WHEN 'payment' THEN -amount_fen ELSE 0 END), 0) AS BIGINT)`;

export const PAID_SQL = `CAST(COALESCE(SUM(CASE kind WHEN 'payment' THEN amount_fen WHEN 'payment_reversal' THEN -amount_fen ELSE 0 END), 0) AS BIGINT)`;

export interface ItemInfo {
  awardItemId: number;
  awardId: number;
  callId: number;
  final: boolean;
}

export async function itemInfos(db: Queryable, awardItemIds: number[]): Promise<ItemInfo[]> {
  const ids = [...new Set(awardItemIds.filter((id) => Number.isSafeInteger(id)))];
  if (!ids.length) return [];
  const rows = await db('award_items as i')
    .join('awards as a', 'a.id', 'i.award_id')
    .whereIn('i.id', ids)
    .select('i.id', 'i.award_id', 'a.call_id', 'a.status');
  return rows.map((r: { id: number; award_id: number; call_id: number; status: string }) => ({
    awardItemId: Number(r.id),
    awardId: Number(r.award_id),
    callId: Number(r.call_id),
    final: r.status === 'final',
  }));
}

export async function itemInfo(db: Queryable, awardItemId: number): Promise<ItemInfo | undefined> {
  return (await itemInfos(db, [awardItemId]))[0];
}

export interface ItemHoldings {
  streetOfficeId: number;
  year: number;
  bySource: Map<FundSource, { committed: number; paid: number }>;
}

/**
 * What items hold, in a fixed number of queries whatever their number. Entries naming an item count
 * directly. Commitments written before award_item_id existed name only their call (award_item_id
 * null); they belong to that call's final award and are attributed to its items exactly as
 * confirmAward now splits them (splitMatrix of the items' amounts, in rank order, by the call's old
 * commitment per source), which for a single-item award is simply all of it. The ledger is
 * append-only, so this attribution is computed, never written.
 */
export async function readHoldings(db: Queryable, infos: ItemInfo[]): Promise<Map<number, ItemHoldings>> {
  const out = new Map<number, ItemHoldings>();
  if (!infos.length) return out;
  const legacyCalls = [...new Set(infos.filter((i) => i.final).map((i) => i.callId))];
  const [own, legacy] = await Promise.all([
    db('fund_entries')
      .whereIn(
        'award_item_id',
        infos.map((i) => i.awardItemId),
      )
      .groupBy('award_item_id', 'street_office_id', 'year', 'source')
      .select(
        'award_item_id',
        'street_office_id',
        'year',
        'source',
        db.raw(`${COMMITTED_SQL} as committed`),
        db.raw(`${PAID_SQL} as paid`),
      ),
    legacyCalls.length
      ? db('fund_entries')
          .whereIn('call_id', legacyCalls)
          .where({ kind: 'commitment' })
          .whereNull('award_item_id')
          .groupBy('call_id', 'street_office_id', 'year', 'source')
          .select(
            'call_id',
            'street_office_id',
            'year',
            'source',
            db.raw('CAST(SUM(amount_fen) AS BIGINT) as committed'),
          )
      : Promise.resolve([]),
  ]);
  const awardsWithLegacy = [
    ...new Set(
      infos
        .filter((i) => i.final && legacy.some((l: { call_id: number }) => Number(l.call_id) === i.callId))
        .map((i) => i.awardId),
    ),
  ];
  const awardItemRows: { id: number; award_id: number; amount_fen: number }[] = awardsWithLegacy.length
    ? await db('award_items')
        .whereIn('award_id', awardsWithLegacy)
        .orderBy([{ column: 'award_id' }, { column: 'rank' }, { column: 'id' }])
        .select('id', 'award_id', 'amount_fen')
    : [];

  for (const info of infos) {
    const mine = own.filter((r: { award_item_id: number }) => Number(r.award_item_id) === info.awardItemId);
    const old = info.final ? legacy.filter((l: { call_id: number }) => Number(l.call_id) === info.callId) : [];
    const all = [...mine, ...old];
    if (!all.length) continue;
    if (new Set(all.map((r) => `${r.street_office_id}/${r.year}`)).size > 1)
      throw new Error(`award item ${info.awardItemId} holds money in more than one street-year`);
    const bySource = new Map<FundSource, { committed: number; paid: number }>();
    const add = (source: FundSource, committed: number, paid: number) => {
      const h = bySource.get(source) ?? { committed: 0, paid: 0 };
      bySource.set(source, { committed: h.committed + committed, paid: h.paid + paid });
    };
    for (const r of mine) add(r.source, Number(r.committed), Number(r.paid));
    if (old.length) {
      const siblings = awardItemRows.filter((r) => Number(r.award_id) === info.awardId);
      const columns = FUND_SOURCES.map((s) =>
        Number(old.find((l: { source: string }) => l.source === s)?.committed ?? 0),
      );
      const rows = siblings.map((r) => Number(r.amount_fen));
      // Attributable only if the old commitment is the award's total, as confirmAward wrote it.
      if (rows.reduce((x, y) => x + y, 0) === columns.reduce((x, y) => x + y, 0)) {
        const row = splitMatrix(rows, columns)[siblings.findIndex((r) => Number(r.id) === info.awardItemId)];
        FUND_SOURCES.forEach((s, j) => {
          if (row[j] > 0) add(s, row[j], 0);
        });
      }
    }
    out.set(info.awardItemId, { streetOfficeId: Number(all[0].street_office_id), year: Number(all[0].year), bySource });
  }
  return out;
}

export function toHoldings(h: ItemHoldings | undefined): Holding[] {
  if (!h) return [];
  return FUND_SOURCES.filter((s) => h.bySource.has(s)).map((s) => ({
    source: s,
    committedFen: h.bySource.get(s)!.committed,
    paidFen: h.bySource.get(s)!.paid,
  }));
}

/** What is committed (not yet paid) and what is paid for an award item, per source (FUND_SOURCES order;
 *  only the sources it has money in). [] for an item with no money or an unknown id. */
export async function holdingsOf(db: Queryable, awardItemId: number): Promise<Holding[]> {
  return (await holdingsOfItems(db, [awardItemId])).get(awardItemId) ?? [];
}

/** holdingsOf for many items at once (a list page), in a fixed number of queries: item id → holdings;
 *  every id asked for is in the map ([] when it holds nothing or is unknown). */
export async function holdingsOfItems(db: Queryable, awardItemIds: number[]): Promise<Map<number, Holding[]>> {
  const read = await readHoldings(db, await itemInfos(db, awardItemIds));
  return new Map(awardItemIds.map((id) => [id, toHoldings(read.get(id))]));
}
