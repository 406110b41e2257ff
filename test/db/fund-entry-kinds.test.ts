import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../helpers/db';
import { migrationConfig } from '../../src/db/migrate';

// The migrations that give fund entries an award item and the new kinds rebuild the table on SQLite:
// a ledger written before them must come through with the same rows and ids, its append-only
// triggers, and the ability to roll back.
const FIRST = '20261201140000';
const nameOf = (m: unknown) =>
  typeof m === 'string' ? m : ((m as { file?: string; name?: string }).file ?? (m as { name: string }).name);

async function pending(db: Knex): Promise<string[]> {
  const [, todo] = await db.migrate.list(migrationConfig);
  return (todo as unknown[]).map(nameOf);
}
async function completed(db: Knex): Promise<string[]> {
  const [done] = await db.migrate.list(migrationConfig);
  return (done as unknown[]).map(nameOf);
}

describe('fund entry kinds migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ migrate: false });
  });
  afterAll(() => t.destroy());

  it('keep an old ledger intact, append-only, and roll back', async () => {
    const db = t.db;
    while ((await pending(db))[0] < FIRST) await db.migrate.up(migrationConfig);
    const at = '2026-01-01T00:00:00.000Z';
    const [street] = await db('street_offices')
      .insert({ name: '旧街道', district: '区', created_at: at, updated_at: at })
      .returning('id');
    const streetId = Number(typeof street === 'object' ? street.id : street);
    const entry = (kind: string, amount: number, extra: Record<string, unknown> = {}) => ({
      street_office_id: streetId,
      year: 2026,
      source: 'fiscal',
      kind,
      amount_fen: amount,
      created_at: at,
      ...extra,
    });
    const add = async (row: Record<string, unknown>) => {
      const [r] = await db('fund_entries').insert(row).returning('id');
      return Number(typeof r === 'object' ? r.id : r);
    };
    const first = await add(entry('allocation', 1000));
    const second = await add(entry('allocation', 500));
    await add(entry('reservation', 300, { call_id: 5 }));
    await add(entry('commitment', 200, { call_id: 5 }));
    const last = await add(entry('reversal', 500, { reverses_entry_id: second }));
    const before = await db('fund_entries')
      .orderBy('id')
      .select('id', 'kind', 'amount_fen', 'call_id', 'reverses_entry_id');

    await db.migrate.latest(migrationConfig);
    expect(
      await db('fund_entries').orderBy('id').select('id', 'kind', 'amount_fen', 'call_id', 'reverses_entry_id'),
    ).toEqual(before);
    expect(await db('fund_entries').whereNotNull('award_item_id').first()).toBeUndefined();
    await expect(db('fund_entries').where({ id: first }).update({ amount_fen: 1 })).rejects.toThrow(/append-only/);
    await expect(db('fund_entries').where({ id: first }).delete()).rejects.toThrow(/append-only/);
    // Still once: the unique index on reverses_entry_id came through the rebuild.
    await expect(db('fund_entries').insert(entry('reversal', 500, { reverses_entry_id: second }))).rejects.toThrow();
    // A new kind without its award item is refused; ids go on after the old ones.
    await expect(db('fund_entries').insert(entry('commitment_release', 1))).rejects.toThrow();
    expect(await add(entry('allocation', 7))).toBeGreaterThan(last);

    // Roll back to before these migrations: the old CHECK is back.
    while ((await completed(db)).some((n) => n >= FIRST)) await db.migrate.down(migrationConfig);
    expect(await db.schema.hasColumn('fund_entries', 'award_item_id')).toBe(false);
    await expect(db('fund_entries').insert(entry('commitment_increase', 1))).rejects.toThrow();
    await expect(db('fund_entries').where({ id: first }).delete()).rejects.toThrow(/append-only/);
    expect(await db('fund_entries').count({ n: '*' }).first()).toEqual({ n: 6 });
    await db.migrate.latest(migrationConfig);
    expect(await pending(db)).toEqual([]);
  });
});
