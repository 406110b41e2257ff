import { createTestDb, type TestDb } from '../helpers/db';
import { Factories } from '../helpers/factories';
import { transition } from '../../src/db/transition';
import { InvalidState } from '../../src/web/errors';

/** The status columns hold only the states their lifecycles know (migration 20261202170000), and
 *  transition() changes a state only from the expected one. */
describe('status checks and transitions', () => {
  let t: TestDb;
  let f: Factories;
  beforeAll(async () => {
    t = await createTestDb();
    f = new Factories(t.db, { now: () => new Date('2026-12-01T02:00:00Z') });
  });
  afterAll(() => t.destroy());

  it('refuses an unknown status on insert and on update, on both databases', async () => {
    await expect(f.organization({ status: 'approvedd' })).rejects.toThrow();
    const org = await f.organization({ status: 'pending' });
    await expect(t.db('organizations').where({ id: org.id }).update({ status: 'archived' })).rejects.toThrow();
    expect((await t.db('organizations').where({ id: org.id }).first('status')).status).toBe('pending');
    await t.db('organizations').where({ id: org.id }).update({ status: 'approved' });
    expect((await t.db('organizations').where({ id: org.id }).first('status')).status).toBe('approved');
  });

  it('moves a row from an expected state, and refuses (409, nothing written) from any other', async () => {
    const org = await f.organization({ status: 'pending' });
    await t.db.transaction((trx) =>
      transition(trx, {
        table: 'organizations',
        id: org.id,
        from: 'pending',
        to: 'approved',
        set: { status_reason: 'ok' },
        errorKey: 'x.wrong',
      }),
    );
    expect(await t.db('organizations').where({ id: org.id }).first('status', 'status_reason')).toEqual({
      status: 'approved',
      status_reason: 'ok',
    });

    const second = t.db.transaction((trx) =>
      transition(trx, {
        table: 'organizations',
        id: org.id,
        from: ['pending', 'rejected'],
        to: 'suspended',
        set: { status_reason: 'no' },
        errorKey: 'x.wrong',
      }),
    );
    await expect(second).rejects.toBeInstanceOf(InvalidState);
    await expect(second).rejects.toMatchObject({ status: 409, messageKey: 'x.wrong' });
    expect(await t.db('organizations').where({ id: org.id }).first('status', 'status_reason')).toEqual({
      status: 'approved',
      status_reason: 'ok',
    });
  });

  it('honours extra conditions', async () => {
    const org = await f.organization({ status: 'approved' });
    const move = t.db.transaction((trx) =>
      transition(trx, {
        table: 'organizations',
        id: org.id,
        from: 'approved',
        to: 'suspended',
        where: (q) => q.whereNotNull('reviewed_at'),
        errorKey: 'x.notReviewed',
      }),
    );
    await expect(move).rejects.toMatchObject({ messageKey: 'x.notReviewed' });
  });
});
