import { asPageRead } from '../../src/db/knex';
import { createTestDb, onPostgres, type TestDb } from '../helpers/db';

/** SQLite's read-only connections beside the writer (src/db/knex.ts): only the plain reads of a page
 *  view use them; a transaction's reads stay in the transaction, writes stay on the writer. */
const sqliteOnly = onPostgres ? describe.skip : describe;

sqliteOnly('page reads on SQLite', () => {
  let t: TestDb;
  const at = '2026-01-01T00:00:00.000Z';
  const street = (name: string) => ({ name, district: '玄武区', created_at: at, updated_at: at });
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  it('runs the database in WAL mode', async () => {
    const [row] = await t.db.raw('PRAGMA journal_mode');
    expect(String(row.journal_mode).toLowerCase()).toBe('wal');
  });

  it('reads inside a write transaction use the transaction; a page read beside it sees only what is committed', async () => {
    await asPageRead(async () => {
      await t.db.transaction(async (trx) => {
        await trx('street_offices').insert(street('未提交街道'));
        expect(await trx('street_offices').where({ name: '未提交街道' }).first('id')).toBeDefined();
        // On the one writer connection this read would wait for the transaction (which waits for it):
        // it is answered by a reader, from the last committed state.
        expect(await t.db('street_offices').where({ name: '未提交街道' }).first('id')).toBeUndefined();
        expect(await t.db.raw('SELECT id FROM street_offices WHERE name = ?', ['未提交街道'])).toEqual([]);
      });
      expect(await t.db('street_offices').where({ name: '未提交街道' }).first('id')).toBeDefined();
    });
  });

  it('sends every write of a page view to the writer (the readers are query_only)', async () => {
    await asPageRead(async () => {
      await t.db('street_offices').insert(street('页面写入'));
      await t.db('street_offices').where({ name: '页面写入' }).update({ district: '秦淮区' });
      await t.db.raw(
        'WITH x AS (SELECT 1) INSERT INTO street_offices (name, district, created_at, updated_at) SELECT ?, ?, ?, ? FROM x',
        ['原始写入', '鼓楼区', at, at],
      );
      expect(
        await t.db('street_offices').whereIn('name', ['页面写入', '原始写入']).orderBy('name').pluck('district'),
      ).toEqual(['鼓楼区', '秦淮区']);
      await t.db('street_offices').where({ name: '原始写入' }).del();
    });
    expect(await t.db('street_offices').where({ name: '原始写入' }).first('id')).toBeUndefined();
  });
});
