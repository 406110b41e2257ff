import type { Knex } from 'knex';
import { forUpdate } from '../../db/knex';
import {
  AVAILABLE_SQL,
  InsufficientFunds,
  account,
  availableFen,
  insertEntries,
  insertEntry,
  normalize,
  type EntryInput,
  type FundSource,
  type SourceAmount,
} from './ledger';

/** A call's budget in the ledger: reserved when it is published, released when it is cancelled or
 *  moved, and committed to the items of its final award. Inside the CALLER's transaction. */

/** Reserve a call's budget from its sources, inside the CALLER's transaction (the caller writes the audit event). All or nothing. */
export async function reserveForCall(
  trx: Knex.Transaction,
  args: {
    streetOfficeId: number;
    year: number;
    callId: number;
    amounts: SourceAmount[];
    userId: number | null;
    now: Date;
  },
): Promise<void> {
  const amounts = normalize(args.amounts);
  // A call draws on one street-year at a time: moving it to another year means releasing first.
  const elsewhere = (await callHoldings(trx, args.callId, false)).find(
    (h) => h.reserved > 0 && (h.street_office_id !== args.streetOfficeId || h.year !== args.year),
  );
  if (elsewhere)
    throw new Error(`call ${args.callId} still holds a reservation in ${elsewhere.year}; release it first`);
  // A savepoint, so that a refusal on the second source also undoes the first even if the caller
  // catches the error and goes on with its transaction.
  await trx.transaction(async (sp) => {
    for (const { source, amountFen } of amounts) {
      const updated = await account(sp, args.streetOfficeId, args.year, source)
        .whereRaw(`${AVAILABLE_SQL} >= ?`, [amountFen])
        .update({ reserved_fen: sp.raw('reserved_fen + ?', [amountFen]), updated_at: args.now.toISOString() });
      if (updated !== 1) {
        const available = await availableFen(sp, args.streetOfficeId, args.year, source);
        throw new InsufficientFunds(source, amountFen - Math.max(0, available));
      }
      await insertEntry(sp, { ...args, source, amountFen, kind: 'reservation' });
    }
  });
}

interface CallHolding {
  street_office_id: number;
  year: number;
  source: FundSource;
  reserved: number;
}

/** What a call still holds reserved, per street-year and source. With `lock`, the accounts of the
 *  call's street-years are locked first (PostgreSQL), so a concurrent release or commitment of the
 *  same call waits and then sees this one's entries. */
async function callHoldings(trx: Knex.Transaction, callId: number, lock: boolean): Promise<CallHolding[]> {
  const streetYears: { street_office_id: number; year: number }[] = await trx('fund_entries')
    .where({ call_id: callId })
    .distinct('street_office_id', 'year');
  if (!streetYears.length) return [];
  if (lock) {
    await forUpdate(
      trx,
      trx('fund_accounts')
        .where((q) => {
          for (const sy of streetYears) q.orWhere({ street_office_id: sy.street_office_id, year: sy.year });
        })
        .orderBy('id')
        .select('id'),
    );
  }
  const rows = await trx('fund_entries')
    .where({ call_id: callId })
    .groupBy('street_office_id', 'year', 'source')
    .select(
      'street_office_id',
      'year',
      'source',
      trx.raw(
        `CAST(SUM(CASE kind WHEN 'reservation' THEN amount_fen WHEN 'reservation_release' THEN -amount_fen WHEN 'commitment' THEN -amount_fen ELSE 0 END) AS BIGINT) as reserved`,
      ),
    );
  return rows.map((r: CallHolding) => ({
    ...r,
    street_office_id: Number(r.street_office_id),
    year: Number(r.year),
    reserved: Number(r.reserved),
  }));
}

/** Release whatever is still reserved for the call (cancel, or the unawarded rest). */
export async function releaseCallReservation(
  trx: Knex.Transaction,
  args: { callId: number; userId: number | null; now: Date },
): Promise<void> {
  const holdings = (await callHoldings(trx, args.callId, true)).filter((h) => h.reserved > 0);
  for (const h of holdings) {
    const updated = await account(trx, h.street_office_id, h.year, h.source)
      .where('reserved_fen', '>=', h.reserved)
      .update({ reserved_fen: trx.raw('reserved_fen - ?', [h.reserved]), updated_at: args.now.toISOString() });
    if (updated !== 1) throw new Error(`fund account out of step with the ledger for call ${args.callId}`);
    await insertEntry(trx, {
      streetOfficeId: h.street_office_id,
      year: h.year,
      source: h.source,
      kind: 'reservation_release',
      amountFen: h.reserved,
      callId: args.callId,
      userId: args.userId,
      now: args.now,
    });
  }
}

/** Move amounts of a call from reserved to committed, per source, for one holder (an award item;
 *  null only for the old per-call commitments); releases nothing else. An amount above what the call
 *  still holds reserved in that source is refused with InsufficientFunds. */
export async function commitFromReservation(
  trx: Knex.Transaction,
  args: {
    callId: number;
    awardItemId?: number | null;
    contractId?: number | null;
    amounts: SourceAmount[];
    userId: number | null;
    now: Date;
  },
): Promise<void> {
  await commitAwardItems(trx, {
    callId: args.callId,
    items: [{ awardItemId: args.awardItemId ?? null, contractId: args.contractId ?? null, amounts: args.amounts }],
    userId: args.userId,
    now: args.now,
  });
}

/** Reserved → committed for several award items of one call at once (a final award: items × sources,
 *  split by splitMatrix), each entry naming its award item. All or nothing (a savepoint); the sum per
 *  source must be covered by what the call still holds reserved, else InsufficientFunds. */
export async function commitAwardItems(
  trx: Knex.Transaction,
  args: {
    callId: number;
    items: { awardItemId: number | null; contractId?: number | null; amounts: SourceAmount[] }[];
    userId: number | null;
    now: Date;
  },
): Promise<void> {
  const items = args.items.map((i) => ({ ...i, amounts: normalize(i.amounts) }));
  const totals = normalize(items.flatMap((i) => i.amounts));
  const holdings = new Map(
    (await callHoldings(trx, args.callId, true)).filter((h) => h.reserved > 0).map((h) => [h.source, h]),
  );
  const rows: EntryInput[] = [];
  await trx.transaction(async (sp) => {
    for (const { source, amountFen } of totals) {
      const h = holdings.get(source);
      const held = h?.reserved ?? 0;
      if (!h || held < amountFen) throw new InsufficientFunds(source, amountFen - Math.max(0, held));
      const updated = await account(sp, h.street_office_id, h.year, source)
        .where('reserved_fen', '>=', amountFen)
        .update({
          reserved_fen: sp.raw('reserved_fen - ?', [amountFen]),
          committed_fen: sp.raw('committed_fen + ?', [amountFen]),
          updated_at: args.now.toISOString(),
        });
      if (updated !== 1) throw new Error(`fund account out of step with the ledger for call ${args.callId}`);
    }
    for (const item of items) {
      for (const { source, amountFen } of item.amounts) {
        const h = holdings.get(source)!;
        rows.push({
          streetOfficeId: h.street_office_id,
          year: h.year,
          source,
          kind: 'commitment',
          amountFen,
          callId: args.callId,
          contractId: item.contractId ?? null,
          awardItemId: item.awardItemId,
          userId: args.userId,
          now: args.now,
        });
      }
    }
    await insertEntries(sp, rows);
  });
}
