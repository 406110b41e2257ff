import type { Knex } from 'knex';
import type { Queryable } from '../../db/knex';
import { isUniqueViolation } from '../../db/errors';
import { formatMoney } from '../../shared/money';
import { splitByWeights } from '../../shared/split';
import { DomainError, InvalidState, NotFound } from '../../web/errors';
import {
  AVAILABLE_SQL,
  FUND_SOURCES,
  InsufficientFunds,
  account,
  availableFen,
  insertEntries,
  insertEntry,
  lockStreetYear,
  normalize,
  type EntryInput,
  type FundSource,
  type SourceAmount,
} from './ledger';
import { itemInfo, readHoldings, type ItemHoldings, type ItemInfo, type PaymentEntry } from './holdings';

/**
 * The movements of an award item's money (holdings.ts says what it holds). Each runs in the CALLER's
 * transaction (the caller writes the audit event), locks the street-year's fund_accounts rows on
 * PostgreSQL in id order before reading what the item holds, so two movements of the same money
 * queue up and the second sees the first's entries, and moves the balance with a conditional UPDATE
 * whose row count is checked.
 */

/** More asked to be released than the award item holds committed and unpaid (422). */
export class ReleaseExceedsCommitment extends DomainError {
  constructor(
    public readonly requestedFen: number,
    public readonly committedFen: number,
  ) {
    super(422, 'funds.releaseExceeds', {
      requested: formatMoney(requestedFen),
      committed: formatMoney(committedFen),
      requestedFen,
      committedFen,
    });
  }
}

/** Finds the item's street-year, locks its accounts, then reads what the item holds (after the lock,
 *  so a movement that committed meanwhile is seen). */
async function lockedHoldings(
  trx: Knex.Transaction,
  awardItemId: number,
): Promise<{ info: ItemInfo; h: ItemHoldings }> {
  const info = await itemInfo(trx, awardItemId);
  if (!info) throw new NotFound();
  const first = (await readHoldings(trx, [info])).get(info.awardItemId);
  if (!first) throw new InvalidState('funds.noCommitment');
  await lockStreetYear(trx, first.streetOfficeId, first.year);
  return { info, h: (await readHoldings(trx, [info])).get(info.awardItemId)! };
}

function checkPositive(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0)
    throw new TypeError(`fund amounts are non-negative integer fen, got ${amountFen}`);
}

type Move = { awardItemId: number; contractId: number | null; userId: number | null; now: Date; note?: string | null };

function entryFor(
  m: Move,
  info: ItemInfo,
  h: ItemHoldings,
  kind: EntryInput['kind'],
  source: FundSource,
  amountFen: number,
): EntryInput {
  return {
    streetOfficeId: h.streetOfficeId,
    year: h.year,
    source,
    kind,
    amountFen,
    callId: info.callId,
    contractId: m.contractId,
    awardItemId: info.awardItemId,
    note: m.note ?? null,
    userId: m.userId,
    now: m.now,
  };
}

/**
 * Would increaseCommitment(awardItemId, amountFen) be covered? The same split over the item's sources,
 * each part against what its source has available now; the first source that cannot cover its part
 * as InsufficientFunds (source and shortfall), null when all can. Reads only (no lock): an amendment
 * proposal checks it, the acceptance moves the money and checks again.
 */
export async function increaseShortfall(
  db: Queryable,
  awardItemId: number,
  amountFen: number,
): Promise<InsufficientFunds | null> {
  checkPositive(amountFen);
  if (amountFen === 0) return null;
  const info = await itemInfo(db, awardItemId);
  const h = info ? (await readHoldings(db, [info])).get(info.awardItemId) : undefined;
  if (!h) throw new InvalidState('funds.noCommitment');
  const sources = FUND_SOURCES.filter((s) => h.bySource.has(s));
  const weights = sources.map((s) => h.bySource.get(s)!.committed + h.bySource.get(s)!.paid);
  if (!weights.some((w) => w > 0)) throw new InvalidState('funds.noCommitment');
  const parts = splitByWeights(amountFen, weights);
  const rows: { source: FundSource; available: number }[] = await db('fund_accounts')
    .where({ street_office_id: h.streetOfficeId, year: h.year })
    .whereIn('source', sources)
    .select('source', db.raw(`${AVAILABLE_SQL} as available`));
  for (let i = 0; i < sources.length; i += 1) {
    if (parts[i] <= 0) continue;
    const available = Number(rows.find((r) => r.source === sources[i])?.available ?? 0);
    if (available < parts[i]) return new InsufficientFunds(sources[i], parts[i] - Math.max(0, available));
  }
  return null;
}

/**
 * available → committed: an amendment raises the contract's amount by `amountFen`. The amount is split
 * over the item's sources in proportion to what the item holds in each (committed or already paid,
 * i.e. the contract's funding mix), largest remainder; all or nothing (a savepoint). A source that
 * cannot cover its part is refused with InsufficientFunds naming the source and the shortfall.
 */
export async function increaseCommitment(
  trx: Knex.Transaction,
  args: Move & { amountFen: number },
): Promise<SourceAmount[]> {
  checkPositive(args.amountFen);
  const { info, h } = await lockedHoldings(trx, args.awardItemId);
  if (args.amountFen === 0) return [];
  const sources = FUND_SOURCES.filter((s) => h.bySource.has(s));
  const weights = sources.map((s) => h.bySource.get(s)!.committed + h.bySource.get(s)!.paid);
  if (!weights.some((w) => w > 0)) throw new InvalidState('funds.noCommitment');
  const parts = splitByWeights(args.amountFen, weights)
    .map((amountFen, i) => ({ source: sources[i], amountFen }))
    .filter((p) => p.amountFen > 0);
  await trx.transaction(async (sp) => {
    for (const { source, amountFen } of parts) {
      const updated = await account(sp, h.streetOfficeId, h.year, source)
        .whereRaw(`${AVAILABLE_SQL} >= ?`, [amountFen])
        .update({ committed_fen: sp.raw('committed_fen + ?', [amountFen]), updated_at: args.now.toISOString() });
      if (updated !== 1)
        throw new InsufficientFunds(
          source,
          amountFen - Math.max(0, await availableFen(sp, h.streetOfficeId, h.year, source)),
        );
    }
    await insertEntries(
      sp,
      parts.map((p) => entryFor(args, info, h, 'commitment_increase', p.source, p.amountFen)),
    );
  });
  return parts;
}

/**
 * committed → available: a lowering amendment (`amountFen`) or a termination (`'all_unpaid'`). A
 * number is split over the sources in proportion to what is committed and unpaid in each (largest
 * remainder, so no part exceeds its source's commitment); more than the item holds committed is
 * refused with ReleaseExceedsCommitment. Returns what was released per source ([] when nothing was).
 */
export async function releaseCommitment(
  trx: Knex.Transaction,
  args: Move & { amountFen: number | 'all_unpaid' },
): Promise<SourceAmount[]> {
  if (args.amountFen !== 'all_unpaid') checkPositive(args.amountFen);
  const { info, h } = await lockedHoldings(trx, args.awardItemId);
  const sources = FUND_SOURCES.filter((s) => (h.bySource.get(s)?.committed ?? 0) > 0);
  const committed = sources.map((s) => h.bySource.get(s)!.committed);
  const held = committed.reduce((a, b) => a + b, 0);
  if (args.amountFen !== 'all_unpaid' && args.amountFen > held)
    throw new ReleaseExceedsCommitment(args.amountFen, held);
  const amounts = args.amountFen === 'all_unpaid' ? committed : splitByWeights(args.amountFen, committed);
  const parts = amounts.map((amountFen, i) => ({ source: sources[i], amountFen })).filter((p) => p.amountFen > 0);
  for (const { source, amountFen } of parts) {
    const updated = await account(trx, h.streetOfficeId, h.year, source)
      .where('committed_fen', '>=', amountFen)
      .update({ committed_fen: trx.raw('committed_fen - ?', [amountFen]), updated_at: args.now.toISOString() });
    if (updated !== 1) throw new Error(`fund account out of step with the ledger for award item ${info.awardItemId}`);
  }
  await insertEntries(
    trx,
    parts.map((p) => entryFor(args, info, h, 'commitment_release', p.source, p.amountFen)),
  );
  return parts;
}

/**
 * committed → paid: a released payment of the contract made from this award item, per source. Only
 * this item's commitment pays (a venture call's items never draw on each other's money); a source
 * whose commitment cannot cover its amount is refused with InsufficientFunds. All or nothing (a
 * savepoint). Returns the payment entries, which reversePayment takes.
 */
export async function payFromCommitment(
  trx: Knex.Transaction,
  args: Move & { amounts: SourceAmount[]; paymentNote?: string | null },
): Promise<PaymentEntry[]> {
  const amounts = normalize(args.amounts);
  const { info, h } = await lockedHoldings(trx, args.awardItemId);
  const paid: PaymentEntry[] = [];
  await trx.transaction(async (sp) => {
    for (const { source, amountFen } of amounts) {
      const held = h.bySource.get(source)?.committed ?? 0;
      if (held < amountFen) throw new InsufficientFunds(source, amountFen - Math.max(0, held));
      const updated = await account(sp, h.streetOfficeId, h.year, source)
        .where('committed_fen', '>=', amountFen)
        .update({
          committed_fen: sp.raw('committed_fen - ?', [amountFen]),
          paid_fen: sp.raw('paid_fen + ?', [amountFen]),
          updated_at: args.now.toISOString(),
        });
      if (updated !== 1) throw new Error(`fund account out of step with the ledger for award item ${info.awardItemId}`);
      const entryId = await insertEntry(sp, {
        ...entryFor(args, info, h, 'payment', source, amountFen),
        note: args.paymentNote ?? args.note ?? null,
      });
      paid.push({ entryId, source, amountFen });
    }
  });
  return paid;
}

/**
 * paid → committed: undoes one payment entry in full, once. The new entry points at the payment
 * (reverses_entry_id, unique) and carries its award item, contract and call; the database checks it
 * is a payment of the same holder and source, at most its amount. A second reversal is InvalidState
 * (409, `funds.paymentAlreadyReversed`); an id that is not a payment is NotFound.
 */
export async function reversePayment(
  trx: Knex.Transaction,
  args: { paymentEntryId: number; userId: number | null; now: Date; note?: string | null },
): Promise<PaymentEntry> {
  const payment = Number.isSafeInteger(args.paymentEntryId)
    ? await trx('fund_entries').where({ id: args.paymentEntryId, kind: 'payment' }).first()
    : undefined;
  if (!payment) throw new NotFound();
  const amountFen = Number(payment.amount_fen);
  const key = { streetOfficeId: Number(payment.street_office_id), year: Number(payment.year) };
  await lockStreetYear(trx, key.streetOfficeId, key.year);
  if (await trx('fund_entries').where({ reverses_entry_id: payment.id }).first('id'))
    throw new InvalidState('funds.paymentAlreadyReversed');
  try {
    return await trx.transaction(async (sp) => {
      const updated = await account(sp, key.streetOfficeId, key.year, payment.source)
        .where('paid_fen', '>=', amountFen)
        .update({
          paid_fen: sp.raw('paid_fen - ?', [amountFen]),
          committed_fen: sp.raw('committed_fen + ?', [amountFen]),
          updated_at: args.now.toISOString(),
        });
      if (updated !== 1) throw new Error(`fund account out of step with the ledger for payment ${payment.id}`);
      const entryId = await insertEntry(sp, {
        ...key,
        source: payment.source,
        kind: 'payment_reversal',
        amountFen,
        callId: payment.call_id ?? null,
        contractId: payment.contract_id ?? null,
        awardItemId: payment.award_item_id ?? null,
        reversesEntryId: Number(payment.id),
        note: args.note ?? null,
        userId: args.userId,
        now: args.now,
      });
      return { entryId, source: payment.source as FundSource, amountFen };
    });
  } catch (err) {
    // SQLite has one writer and PostgreSQL waits on the lock above, so this is the last word only.
    if (isUniqueViolation(err)) throw new InvalidState('funds.paymentAlreadyReversed');
    throw err;
  }
}

/**
 * A payment (or part of it) has come back (追回): paid → committed → available for one payment
 * entry's source, as two new entries in this order: a `payment_reversal` of `amountFen` pointing at
 * the payment (once: reverses_entry_id is unique; the trigger checks same holder, at most its
 * amount) and a `commitment_release` of the same amount, so the money is available to the street
 * again. Returns both entry ids. For the payments module's corrections; runs in the caller's
 * transaction, locks the street-year first.
 */
export async function reclaimPayment(
  trx: Knex.Transaction,
  args: { paymentEntryId: number; amountFen: number; userId: number | null; now: Date; note?: string | null },
): Promise<{ reversalEntryId: number; releaseEntryId: number; source: FundSource; amountFen: number }> {
  checkPositive(args.amountFen);
  const payment = Number.isSafeInteger(args.paymentEntryId)
    ? await trx('fund_entries').where({ id: args.paymentEntryId, kind: 'payment' }).first()
    : undefined;
  if (!payment) throw new NotFound();
  const key = { streetOfficeId: Number(payment.street_office_id), year: Number(payment.year) };
  await lockStreetYear(trx, key.streetOfficeId, key.year);
  if (args.amountFen === 0 || args.amountFen > Number(payment.amount_fen))
    throw new ReleaseExceedsCommitment(args.amountFen, Number(payment.amount_fen));
  if (await trx('fund_entries').where({ reverses_entry_id: payment.id }).first('id'))
    throw new InvalidState('funds.paymentAlreadyReversed');
  const common = {
    ...key,
    source: payment.source as FundSource,
    amountFen: args.amountFen,
    callId: payment.call_id ?? null,
    contractId: payment.contract_id ?? null,
    awardItemId: payment.award_item_id ?? null,
    note: args.note ?? null,
    userId: args.userId,
    now: args.now,
  };
  const updated = await account(trx, key.streetOfficeId, key.year, payment.source)
    .where('paid_fen', '>=', args.amountFen)
    .update({ paid_fen: trx.raw('paid_fen - ?', [args.amountFen]), updated_at: args.now.toISOString() });
  if (updated !== 1) throw new Error(`fund account out of step with the ledger for payment ${payment.id}`);
  const reversalEntryId = await insertEntry(trx, {
    ...common,
    kind: 'payment_reversal',
    reversesEntryId: Number(payment.id),
  });
  const releaseEntryId = await insertEntry(trx, { ...common, kind: 'commitment_release' });
  return { reversalEntryId, releaseEntryId, source: payment.source as FundSource, amountFen: args.amountFen };
}
