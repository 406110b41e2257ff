import { createTestDb, type TestDb } from '../helpers/db';
import { Factories } from '../helpers/factories';
import type { TestContext } from '../helpers/app';
import { migrationConfig, migrateLatest } from '../../src/db/migrate';
import { TestClock } from '../../src/shared/clock';
import { makeCall } from './helpers';

/** An earlier install's bids (made before bids had references) get distinct random references when
 *  the migration runs, and rows inserted without one afterwards get one from the database. */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(() => t.destroy());

it('gives existing and reference-less bids a distinct random reference (bid_files has the same migration)', async () => {
  for (;;) {
    const [, pending] = (await t.db.migrate.list(migrationConfig)) as [
      unknown,
      { file?: string; name?: string }[] | string[],
    ];
    const next = pending[0] as unknown;
    const name =
      typeof next === 'string'
        ? next
        : ((next as { file?: string; name?: string }).file ?? (next as { name?: string }).name ?? '');
    if (name.startsWith('20261201130400')) break;
    await t.db.migrate.up(migrationConfig);
  }
  const clock = new TestClock();
  const ctx = { db: t.db, clock, make: new Factories(t.db, clock) } as unknown as TestContext;
  // The street office as its table stood then (its party columns came later, with contracts).
  const [street] = await t
    .db('street_offices')
    .insert({
      name: '旧街道',
      district: '测试区',
      created_at: clock.now().toISOString(),
      updated_at: clock.now().toISOString(),
    })
    .returning('id');
  const call = await makeCall(ctx, { street_office_id: Number(typeof street === 'object' ? street.id : street) });
  const at = clock.now().toISOString();
  for (let i = 0; i < 3; i++) {
    const org = await ctx.make.organization();
    await t
      .db('bids')
      .insert({ call_id: call.id, organization_id: org.id, status: 'draft', created_at: at, updated_at: at });
  }
  await migrateLatest(t.db);
  const org = await ctx.make.organization();
  await t
    .db('bids')
    .insert({ call_id: call.id, organization_id: org.id, status: 'draft', created_at: at, updated_at: at });
  const refs = (await t.db('bids').pluck('ref')) as string[];
  expect(refs).toHaveLength(4);
  for (const ref of refs) expect(ref).toMatch(/^[0-9a-f]{16}$/);
  expect(new Set(refs).size).toBe(4);
  // Another bid's reference (pluck's order is unspecified, and the bid's own would be no clash).
  const other = (await t.db('bids').whereNot({ organization_id: org.id }).first('ref')).ref as string;
  await expect(t.db('bids').where({ organization_id: org.id }).update({ ref: other })).rejects.toThrow();
});
