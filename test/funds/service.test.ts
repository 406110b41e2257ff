import { createTestContext, type TestContext } from '../helpers/app';
import { systemActor } from '../../src/audit/audit';
import { translator } from '../../src/web/i18n';
import { recordAllocation, reverseAllocation, ReversalBlocked } from '../../src/modules/funds/allocations';
import {
  InsufficientFunds,
  commitFromReservation,
  releaseCallReservation,
  reserveForCall,
  streetYearBalances,
  type FundSource,
} from '../../src/modules/funds';
import type { SessionUser } from '../../src/modules/accounts/roles';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const admin: SessionUser = {
  id: 0,
  username: 'admin',
  displayName: 'admin',
  role: 'admin',
  streetOfficeId: null,
  streetOfficeName: null,
  organizationId: null,
  organizationName: null,
  streetOfficeIds: [],
};

let callSeq = 1000;
const nextCall = () => ++callSeq;

async function streetWith(year: number, allocations: Partial<Record<FundSource, number>>) {
  const street = await ctx.make.streetOffice();
  for (const [source, amountFen] of Object.entries(allocations)) {
    await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year,
      source: source as FundSource,
      amountFen: amountFen!,
      note: 'test',
    });
  }
  return street.id;
}

const reserve = (
  streetOfficeId: number,
  callId: number,
  amounts: { source: FundSource; amountFen: number }[],
  year = 2026,
) =>
  ctx.db.transaction((trx) =>
    reserveForCall(trx, { streetOfficeId, year, callId, amounts, userId: null, now: ctx.clock.now() }),
  );

describe('reserveForCall', () => {
  it('reserves from each source and shows it in the balances', async () => {
    const street = await streetWith(2026, { fiscal: 100_000, lottery: 50_000 });
    await reserve(street, nextCall(), [
      { source: 'fiscal', amountFen: 30_000 },
      { source: 'lottery', amountFen: 50_000 },
    ]);
    const b = await streetYearBalances(ctx.db, street, 2026);
    expect(b.bySource.fiscal).toEqual({
      allocatedFen: 100_000,
      reservedFen: 30_000,
      committedFen: 0,
      paidFen: 0,
      availableFen: 70_000,
    });
    expect(b.bySource.lottery.availableFen).toBe(0);
    expect(b.bySource.donation).toEqual({
      allocatedFen: 0,
      reservedFen: 0,
      committedFen: 0,
      paidFen: 0,
      availableFen: 0,
    });
    expect(b.total).toEqual({
      allocatedFen: 150_000,
      reservedFen: 80_000,
      committedFen: 0,
      paidFen: 0,
      availableFen: 70_000,
    });
  });

  it('refuses all of it when one source falls short, naming the source and the shortfall', async () => {
    const street = await streetWith(2026, { fiscal: 100_000, donation: 10_000 });
    const callId = nextCall();
    const err = await reserve(street, callId, [
      { source: 'fiscal', amountFen: 60_000 },
      { source: 'donation', amountFen: 12_345 },
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
    expect(err.status).toBe(422);
    expect(err.source).toBe('donation');
    expect(err.shortfallFen).toBe(2_345);
    expect(translator('zh-CN')(err.messageKey, err.params)).toBe('社会捐赠可用资金不足，还差 ¥23.45。');
    expect(translator('en')(err.messageKey, err.params)).toContain('Social donations');
    const b = await streetYearBalances(ctx.db, street, 2026);
    expect(b.total.reservedFen).toBe(0);
    expect(await ctx.db('fund_entries').where({ call_id: callId }).first()).toBeUndefined();
  });

  it('undoes its own part even when the caller catches the refusal and commits', async () => {
    const street = await streetWith(2026, { fiscal: 100_000 });
    await ctx.db.transaction(async (trx) => {
      await expect(
        reserveForCall(trx, {
          streetOfficeId: street,
          year: 2026,
          callId: nextCall(),
          amounts: [
            { source: 'fiscal', amountFen: 1 },
            { source: 'lottery', amountFen: 1 },
          ],
          userId: null,
          now: ctx.clock.now(),
        }),
      ).rejects.toBeInstanceOf(InsufficientFunds);
    });
    expect((await streetYearBalances(ctx.db, street, 2026)).total.reservedFen).toBe(0);
  });

  it('treats a source never allocated as short by the whole amount', async () => {
    const street = await streetWith(2026, {});
    const err = await reserve(street, nextCall(), [{ source: 'lottery', amountFen: 500 }]).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
    expect(err.shortfallFen).toBe(500);
  });

  it('refuses negative or fractional amounts as a programming error', async () => {
    const street = await streetWith(2026, { fiscal: 100 });
    await expect(reserve(street, nextCall(), [{ source: 'fiscal', amountFen: -1 }])).rejects.toThrow(TypeError);
    await expect(reserve(street, nextCall(), [{ source: 'fiscal', amountFen: 1.5 }])).rejects.toThrow(TypeError);
    await expect(reserve(street, nextCall(), [{ source: 'bank' as FundSource, amountFen: 1 }])).rejects.toThrow(
      TypeError,
    );
  });

  it('lets exactly one of two concurrent reservations through when together they exceed a source', async () => {
    const street = await streetWith(2026, { fiscal: 1_000_000 });
    // On PostgreSQL both transactions are open on their own connections before either reserves (a
    // barrier), and each holds its transaction open a little after reserving, so the second UPDATE
    // really waits on the first's row lock. SQLite has one connection: they run one after the other.
    const onPg = ctx.dialect === 'postgres';
    let arrived = 0;
    let release: () => void = () => {};
    const barrier = new Promise<void>((r) => (release = r));
    const attempt = (callId: number) =>
      ctx.db.transaction(async (trx) => {
        await trx.raw('select 1');
        if (onPg) {
          if (++arrived === 2) release();
          await barrier;
        }
        await reserveForCall(trx, {
          streetOfficeId: street,
          year: 2026,
          callId,
          amounts: [{ source: 'fiscal', amountFen: 600_000 }],
          userId: null,
          now: ctx.clock.now(),
        });
        await new Promise((r) => setTimeout(r, 50));
      });
    const results = await Promise.allSettled([attempt(nextCall()), attempt(nextCall())]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(InsufficientFunds);
    expect(refused.reason.shortfallFen).toBe(200_000);
    const b = await streetYearBalances(ctx.db, street, 2026);
    expect(b.bySource.fiscal.reservedFen).toBe(600_000);
    expect(
      await ctx.db('fund_entries').where({ street_office_id: street, kind: 'reservation' }).count({ n: '*' }).first(),
    ).toEqual({ n: 1 });
  });
});

describe('reverseAllocation', () => {
  it('and a concurrent reservation cannot both take the same money', async () => {
    const street = await ctx.make.streetOffice();
    const first = await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year: 2026,
      source: 'fiscal',
      amountFen: 600_000,
      note: 'a',
    });
    await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year: 2026,
      source: 'fiscal',
      amountFen: 400_000,
      note: 'b',
    });
    // Reversing the 600,000 leaves 400,000; reserving 700,000 needs more than 400,000: only one can win.
    const results = await Promise.allSettled([
      reverseAllocation(ctx, systemActor, admin, first, 'wrong'),
      reserve(street.id, nextCall(), [{ source: 'fiscal', amountFen: 700_000 }]),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(reason instanceof ReversalBlocked || reason instanceof InsufficientFunds).toBe(true);
    const b = (await streetYearBalances(ctx.db, street.id, 2026)).bySource.fiscal;
    expect(b.reservedFen).toBeLessThanOrEqual(b.allocatedFen);
    expect([b.allocatedFen, b.reservedFen]).toEqual(
      results[0].status === 'fulfilled' ? [400_000, 0] : [1_000_000, 700_000],
    );
  });

  it('lets only one of two concurrent reversals of the same entry through', async () => {
    const street = await ctx.make.streetOffice();
    const id = await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year: 2026,
      source: 'donation',
      amountFen: 5_000,
      note: 'a',
    });
    await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year: 2026,
      source: 'donation',
      amountFen: 5_000,
      note: 'b',
    });
    const results = await Promise.allSettled([
      reverseAllocation(ctx, systemActor, admin, id, 'x'),
      reverseAllocation(ctx, systemActor, admin, id, 'y'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.status).toBe(409);
    expect((await streetYearBalances(ctx.db, street.id, 2026)).bySource.donation.allocatedFen).toBe(5_000);
  });
});

describe('releaseCallReservation and commitFromReservation', () => {
  it('commits part of a reservation and releases the rest once', async () => {
    const street = await streetWith(2026, { fiscal: 100_000, lottery: 40_000 });
    const callId = nextCall();
    await reserve(street, callId, [
      { source: 'fiscal', amountFen: 80_000 },
      { source: 'lottery', amountFen: 40_000 },
    ]);
    const now = ctx.clock.now();
    await ctx.db.transaction((trx) =>
      commitFromReservation(trx, {
        callId,
        contractId: 77,
        amounts: [{ source: 'fiscal', amountFen: 50_000 }],
        userId: null,
        now,
      }),
    );
    let b = await streetYearBalances(ctx.db, street, 2026);
    expect(b.bySource.fiscal).toMatchObject({ reservedFen: 30_000, committedFen: 50_000, availableFen: 20_000 });

    const tooMuch = await ctx.db
      .transaction((trx) =>
        commitFromReservation(trx, {
          callId,
          contractId: 78,
          amounts: [{ source: 'fiscal', amountFen: 30_001 }],
          userId: null,
          now,
        }),
      )
      .catch((e) => e);
    expect(tooMuch).toBeInstanceOf(InsufficientFunds);
    expect(tooMuch.shortfallFen).toBe(1);

    await ctx.db.transaction((trx) => releaseCallReservation(trx, { callId, userId: null, now }));
    await ctx.db.transaction((trx) => releaseCallReservation(trx, { callId, userId: null, now }));
    b = await streetYearBalances(ctx.db, street, 2026);
    expect(b.bySource.fiscal).toMatchObject({
      allocatedFen: 100_000,
      reservedFen: 0,
      committedFen: 50_000,
      availableFen: 50_000,
    });
    expect(b.bySource.lottery).toMatchObject({ reservedFen: 0, availableFen: 40_000 });
    const releases = await ctx
      .db('fund_entries')
      .where({ call_id: callId, kind: 'reservation_release' })
      .orderBy('source')
      .select('source', 'amount_fen');
    expect(releases).toEqual([
      { source: 'fiscal', amount_fen: 30_000 },
      { source: 'lottery', amount_fen: 40_000 },
    ]);
  });

  it('moves a call to another year once its reservation is released, and commits from the new year', async () => {
    const street = await streetWith(2026, { fiscal: 10_000 });
    await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street,
      year: 2027,
      source: 'fiscal',
      amountFen: 10_000,
      note: 'next year',
    });
    const callId = nextCall();
    const now = ctx.clock.now();
    await reserve(street, callId, [{ source: 'fiscal', amountFen: 4_000 }], 2026);
    await expect(reserve(street, callId, [{ source: 'fiscal', amountFen: 1 }], 2027)).rejects.toThrow(
      /release it first/,
    );
    await ctx.db.transaction(async (trx) => {
      await releaseCallReservation(trx, { callId, userId: null, now });
      await reserveForCall(trx, {
        streetOfficeId: street,
        year: 2027,
        callId,
        amounts: [{ source: 'fiscal', amountFen: 6_000 }],
        userId: null,
        now,
      });
    });
    await ctx.db.transaction((trx) =>
      commitFromReservation(trx, {
        callId,
        contractId: 5,
        amounts: [{ source: 'fiscal', amountFen: 6_000 }],
        userId: null,
        now,
      }),
    );
    expect((await streetYearBalances(ctx.db, street, 2026)).bySource.fiscal).toMatchObject({
      reservedFen: 0,
      committedFen: 0,
      availableFen: 10_000,
    });
    expect((await streetYearBalances(ctx.db, street, 2027)).bySource.fiscal).toMatchObject({
      reservedFen: 0,
      committedFen: 6_000,
      availableFen: 4_000,
    });
  });

  it('does nothing for a call that reserved nothing', async () => {
    await ctx.db.transaction((trx) =>
      releaseCallReservation(trx, { callId: 999_999, userId: null, now: ctx.clock.now() }),
    );
    const err = await ctx.db
      .transaction((trx) =>
        commitFromReservation(trx, {
          callId: 999_999,
          contractId: null,
          amounts: [{ source: 'fiscal', amountFen: 1 }],
          userId: null,
          now: ctx.clock.now(),
        }),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
  });
});

describe('the database itself', () => {
  it('refuses a balance where reserved + committed + paid exceeds allocated, or a negative one', async () => {
    const street = await streetWith(2026, { fiscal: 1_000 });
    const row = () => ctx.db('fund_accounts').where({ street_office_id: street, year: 2026, source: 'fiscal' });
    await expect(row().update({ reserved_fen: 600, committed_fen: 401 })).rejects.toThrow();
    await expect(row().update({ paid_fen: -1 })).rejects.toThrow();
    await row().update({ reserved_fen: 600, committed_fen: 400 });
    expect((await streetYearBalances(ctx.db, street, 2026)).bySource.fiscal.availableFen).toBe(0);
  });

  it('refuses to edit or delete a ledger entry', async () => {
    const street = await streetWith(2026, { fiscal: 1_000 });
    const entry = () => ctx.db('fund_entries').where({ street_office_id: street });
    await expect(entry().update({ amount_fen: 5 })).rejects.toThrow(/append-only/);
    await expect(entry().delete()).rejects.toThrow(/append-only/);
  });
});
