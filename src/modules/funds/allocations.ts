import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import { formatMoney } from '../../shared/money';
import { DomainError, Forbidden, InvalidState, NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { canWriteStreetFunds } from './policy';
import { insertEntry, type FundSource } from './ledger';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

export interface AllocationInput {
  streetOfficeId: number;
  year: number;
  source: FundSource;
  amountFen: number;
  note: string;
}

/** Records money allocated to a street-year from one source: a ledger entry and the balance, audited. */
export async function recordAllocation(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  input: AllocationInput,
): Promise<number> {
  if (!canWriteStreetFunds(user, input.streetOfficeId)) throw new Forbidden();
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const at = now.toISOString();
    // Insert-or-add in one statement, so two first allocations of the same account cannot collide.
    await trx('fund_accounts')
      .insert({
        street_office_id: input.streetOfficeId,
        year: input.year,
        source: input.source,
        allocated_fen: input.amountFen,
        reserved_fen: 0,
        committed_fen: 0,
        paid_fen: 0,
        updated_at: at,
      })
      .onConflict(['street_office_id', 'year', 'source'])
      .merge({ allocated_fen: trx.raw('fund_accounts.allocated_fen + ?', [input.amountFen]), updated_at: at });
    const id = await insertEntry(trx, { ...input, kind: 'allocation', userId: actor.userId, now });
    return {
      result: id,
      audit: {
        action: 'funds.allocate',
        subjectType: 'fund_entry',
        subjectId: id,
        streetOfficeId: input.streetOfficeId,
        after: { year: input.year, source: input.source, amount_fen: input.amountFen, note: input.note },
      },
    };
  });
}

/** A reversal that would leave the source's allocation below what is already in use. */
export class ReversalBlocked extends DomainError {
  constructor(params: { source: FundSource; amountFen: number; usedFen: number; allocatedFen: number }) {
    super(422, 'funds.reverse.blocked', {
      source: `funds.sources.${params.source}`,
      amount: formatMoney(params.amountFen),
      used: formatMoney(params.usedFen),
      remaining: formatMoney(params.allocatedFen - params.amountFen),
    });
  }
}

export interface FundEntryRow {
  id: number;
  street_office_id: number;
  year: number;
  source: FundSource;
  kind: string;
  amount_fen: number;
  note: string | null;
}

/** Reverses one allocation entry in full, once. The balance is lowered only if what remains still
 *  covers what is reserved, committed and paid (a conditional UPDATE, so a concurrent reservation
 *  cannot slip in between the check and the write). */
export async function reverseAllocation(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  entryId: number,
  reason: string,
): Promise<FundEntryRow> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const entry: FundEntryRow | undefined = await trx('fund_entries').where({ id: entryId }).first();
    if (!entry) throw new NotFound();
    if (!canWriteStreetFunds(user, entry.street_office_id)) throw new Forbidden();
    if (entry.kind !== 'allocation') throw new InvalidState('funds.reverse.notAllocation');
    if (await trx('fund_entries').where({ reverses_entry_id: entry.id }).first('id'))
      throw new InvalidState('funds.reverse.alreadyReversed');
    const amount = Number(entry.amount_fen);
    const key = { street_office_id: entry.street_office_id, year: entry.year, source: entry.source };
    const updated = await trx('fund_accounts')
      .where(key)
      .whereRaw('allocated_fen - reserved_fen - committed_fen - paid_fen >= ?', [amount])
      .update({ allocated_fen: trx.raw('allocated_fen - ?', [amount]), updated_at: now.toISOString() });
    if (updated !== 1) {
      const acc = await trx('fund_accounts').where(key).first();
      throw new ReversalBlocked({
        source: entry.source,
        amountFen: amount,
        usedFen: Number(acc?.reserved_fen ?? 0) + Number(acc?.committed_fen ?? 0) + Number(acc?.paid_fen ?? 0),
        allocatedFen: Number(acc?.allocated_fen ?? 0),
      });
    }
    let id: number;
    try {
      id = await insertEntry(trx, {
        streetOfficeId: entry.street_office_id,
        year: entry.year,
        source: entry.source,
        kind: 'reversal',
        amountFen: amount,
        reversesEntryId: entry.id,
        note: reason,
        userId: actor.userId,
        now,
      });
    } catch (err) {
      // Two reversals of the same entry at once: the unique index lets only one through.
      if (isUniqueViolation(err)) throw new InvalidState('funds.reverse.alreadyReversed');
      throw err;
    }
    return {
      result: entry,
      audit: {
        action: 'funds.reverse',
        subjectType: 'fund_entry',
        subjectId: id,
        streetOfficeId: entry.street_office_id,
        before: { entry_id: entry.id, year: entry.year, source: entry.source, amount_fen: amount, note: entry.note },
        after: { reverses_entry_id: entry.id, amount_fen: amount, reason },
      },
    };
  });
}
