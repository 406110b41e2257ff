import { updateReturning, type Tx } from '../../db/knex';

/** DS-2026-0007: the street office's short code, the year, the sequence padded to four digits. */
export const formatNumber = (code: string, year: number, seq: number) =>
  `${code}-${year}-${String(seq).padStart(4, '0')}`;

/**
 * The next contract sequence of a street office and year, inside the caller's transaction. The
 * counter row is created if missing (a conflict-free insert), then advanced by one with a single
 * UPDATE ... RETURNING on PostgreSQL (the row lock makes concurrent creators queue, each reading the
 * value the previous one committed) or inside SQLite's single writer. A rolled-back creation rolls
 * its increment back too, so numbers neither repeat nor skip.
 */
export async function nextSequence(trx: Tx, streetOfficeId: number, year: number): Promise<number> {
  await trx('contract_counters')
    .insert({ street_office_id: streetOfficeId, year, last_seq: 0 })
    .onConflict(['street_office_id', 'year'])
    .ignore();
  return Number(
    await updateReturning(
      trx,
      'contract_counters',
      { street_office_id: streetOfficeId, year },
      { last_seq: trx.raw('last_seq + 1') },
      'last_seq',
    ),
  );
}
