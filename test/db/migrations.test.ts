import { createTestDb, type TestDb } from '../helpers/db';
import { migrateLatest, rollbackAll } from '../../src/db/migrate';

describe('migrations', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ migrate: false });
  });
  afterAll(() => t.destroy());

  it('migrate to latest, roll all back, and migrate to latest again', async () => {
    await migrateLatest(t.db);
    expect(await t.db.schema.hasTable('audit_events')).toBe(true);
    await rollbackAll(t.db);
    for (const table of ['users', 'street_offices', 'organizations', 'sessions', 'audit_events']) {
      expect(await t.db.schema.hasTable(table)).toBe(false);
    }
    await migrateLatest(t.db);
    expect(await t.db.schema.hasTable('users')).toBe(true);
    const [, pending] = await t.db.migrate.list({
      migrationSource: undefined,
      ...(await import('../../src/db/migrate')).migrationConfig,
    });
    expect(pending).toEqual([]);
  });
});
