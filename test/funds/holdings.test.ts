import type { Knex } from 'knex';
import { createTestContext, type TestContext } from '../helpers/app';
import { systemActor } from '../../src/audit/audit';
import { confirmAward } from '../../src/modules/awards/service';
import {
  InsufficientFunds,
  ReleaseExceedsCommitment,
  commitFromReservation,
  holdingsOf,
  holdingsOfItems,
  increaseCommitment,
  negativeHoldings,
  payFromCommitment,
  reconcile,
  releaseCallReservation,
  releaseCommitment,
  reversePayment,
  splitByShares,
  splitMatrix,
  streetYearBalances,
  type FundSource,
} from '../../src/modules/funds';
import { postForm } from '../helpers/http';
import { agentFor, managerUser, proposedAward, type CallSpec } from '../awards/factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const START = '2026-11-25T02:00:00.000Z';
// The reconciliation holds before and after every test: each balance row equals its entries, and no
// award item holds less than nothing.
const reconciled = async () => {
  expect(await reconcile(ctx.db)).toEqual([]);
  expect(await negativeHoldings(ctx.db)).toEqual([]);
};
beforeEach(reconciled);
afterEach(async () => {
  await reconciled();
  ctx.clock.set(START);
});

const onPg = () => ctx.dialect === 'postgres';
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A venture call: 3 bids all awarded (333,334 + 333,333 + 333,333 fen) from 700,001 fiscal and 299,999 lottery. */
const venture: CallSpec = {
  venture: true,
  sources: { fiscal: 700_001, lottery: 299_999 },
  spareFen: 50_000,
  capFen: 400_000,
  bids: [
    {
      priceFen: 400_000,
      scores: [
        [90, 90],
        [88, 92],
      ],
    },
    {
      priceFen: 400_000,
      scores: [
        [80, 80],
        [81, 79],
      ],
    },
    {
      priceFen: 400_000,
      scores: [
        [60, 70],
        [65, 65],
      ],
    },
  ],
};
const allThree = (call: { bids: { bidRef: string }[] }) => ({
  [`select_${call.bids[0].bidRef}`]: '1',
  [`amount_${call.bids[0].bidRef}`]: '3333.34',
  [`select_${call.bids[1].bidRef}`]: '1',
  [`amount_${call.bids[1].bidRef}`]: '3333.33',
  [`select_${call.bids[2].bidRef}`]: '1',
  [`amount_${call.bids[2].bidRef}`]: '3333.33',
});

async function items(awardId: number) {
  const rows = await ctx
    .db('award_items')
    .where({ award_id: awardId })
    .orderBy([{ column: 'rank' }, { column: 'id' }])
    .select('id', 'amount_fen');
  return rows.map((r: { id: number; amount_fen: number }) => ({ id: Number(r.id), amountFen: Number(r.amount_fen) }));
}

/** A final award through the real confirmAward (publicity over, no objection). */
async function finalAward(spec: CallSpec = venture, fields: Parameters<typeof proposedAward>[2] | null = allThree) {
  const { call, awardId } = await proposedAward(ctx, spec, fields ?? undefined);
  const a = await ctx.db('awards').where({ id: awardId }).first();
  ctx.clock.set(new Date(new Date(a.publicity_ends_at).getTime() + 1));
  await confirmAward(ctx, systemActor, managerUser(call), awardId);
  return { call, awardId, items: await items(awardId) };
}

const tx = <T>(fn: (trx: Knex.Transaction) => Promise<T>) => ctx.db.transaction(fn);
const now = () => ctx.clock.now();
const committedOf = async (itemId: number) =>
  Object.fromEntries((await holdingsOf(ctx.db, itemId)).map((h) => [h.source, h.committedFen]));
const paidOf = async (itemId: number) =>
  Object.fromEntries((await holdingsOf(ctx.db, itemId)).map((h) => [h.source, h.paidFen]));

/**
 * Runs each piece of work in its own transaction, at the same time. On PostgreSQL every transaction
 * is open on its own connection before any of them works (a barrier), and each stays open a little
 * after its work, so the others really wait on its row locks. SQLite has one writer: one after another.
 */
async function race(works: ((trx: Knex.Transaction) => Promise<unknown>)[]) {
  let arrived = 0;
  let go: () => void = () => {};
  const barrier = new Promise<void>((r) => (go = r));
  return Promise.allSettled(
    works.map((work) =>
      ctx.db.transaction(async (trx) => {
        await trx.raw('select 1');
        if (onPg()) {
          if (++arrived === works.length) go();
          await barrier;
        }
        const result = await work(trx);
        await new Promise((r) => setTimeout(r, 60));
        return result;
      }),
    ),
  );
}

describe('confirmAward commits per award item', () => {
  it('splits a venture award of 3 items over 2 sources so that it adds up both ways to the fen', async () => {
    const { call, awardId, items: its } = await finalAward();
    expect(its.map((i) => i.amountFen)).toEqual([333_334, 333_333, 333_333]);
    const perSource = splitByShares(1_000_000, [
      { source: 'fiscal', amountFen: 700_001 },
      { source: 'lottery', amountFen: 299_999 },
    ]);
    expect(perSource.map((p) => p.amountFen)).toEqual([700_001, 299_999]);
    const holdings = await Promise.all(its.map((i) => holdingsOf(ctx.db, i.id)));
    // Rows: each item holds exactly its amount.
    holdings.forEach((h, r) => {
      expect(sum(h.map((x) => x.committedFen))).toBe(its[r].amountFen);
      expect(h.every((x) => x.paidFen === 0)).toBe(true);
    });
    // Columns: each source's commitment is exactly its part, and the balance row says the same.
    const balances = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    for (const [j, source] of (['fiscal', 'lottery'] as FundSource[]).entries()) {
      const column = holdings.map((h) => h.find((x) => x.source === source)!.committedFen);
      expect(sum(column)).toBe(perSource[j].amountFen);
      expect(balances.bySource[source].committedFen).toBe(perSource[j].amountFen);
      // Each cell within 1 fen of amount × source / total.
      column.forEach((cell, r) =>
        expect(Math.abs(cell - (its[r].amountFen * perSource[j].amountFen) / 1_000_000)).toBeLessThan(1),
      );
    }
    expect(holdings.map((h) => h.map((x) => x.committedFen))).toEqual(
      splitMatrix([333_334, 333_333, 333_333], [700_001, 299_999]),
    );
    // The batch read for list pages gives the same, and [] for an id that holds nothing.
    const batch = await holdingsOfItems(ctx.db, [...its.map((i) => i.id), 999_999]);
    expect(its.map((i) => batch.get(i.id))).toEqual(holdings);
    expect(batch.get(999_999)).toEqual([]);
    // Every commitment entry names its item and still its call.
    const entries = await ctx
      .db('fund_entries')
      .where({ call_id: call.callId, kind: 'commitment' })
      .select('award_item_id', 'call_id');
    expect(entries).toHaveLength(6);
    expect(new Set(entries.map((e: { award_item_id: number }) => Number(e.award_item_id)))).toEqual(
      new Set(its.map((i) => i.id)),
    );
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'award.finalize', subject_id: String(awardId) })
      .first();
    expect(JSON.parse(audit.after_json ?? audit.after).items).toHaveLength(3);
  });

  it('commits a tender’s single item the whole award', async () => {
    const { items: its } = await finalAward(
      { sources: { fiscal: 600_000, donation: 400_000 }, bids: [{ priceFen: 900_001, scores: [[90, 90]] }] },
      null,
    );
    expect(its).toHaveLength(1);
    expect(await committedOf(its[0].id)).toEqual({ fiscal: 540_001, donation: 360_000 });
  });
});

describe('payFromCommitment (by award item)', () => {
  it('pays from the item’s own money only: a venture call’s items never draw on each other’s', async () => {
    const {
      items: [a, b],
    } = await finalAward();
    const fiscalA = (await committedOf(a.id)).fiscal;
    const paid = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 501,
        amounts: [{ source: 'fiscal', amountFen: fiscalA }],
        paymentNote: '首期款',
        userId: null,
        now: now(),
      }),
    );
    expect(paid).toEqual([{ entryId: expect.any(Number), source: 'fiscal', amountFen: fiscalA }]);
    expect(await paidOf(a.id)).toMatchObject({ fiscal: fiscalA });
    const row = await ctx.db('fund_entries').where({ id: paid[0].entryId }).first();
    expect(row).toMatchObject({ kind: 'payment', award_item_id: a.id, contract_id: 501, note: '首期款' });
    // The account still has b's fiscal money committed, but a cannot use it.
    const err = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 501,
        amounts: [{ source: 'fiscal', amountFen: 1 }],
        userId: null,
        now: now(),
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
    expect(err).toMatchObject({ source: 'fiscal', shortfallFen: 1, status: 422 });
    // All or nothing: a covered source and a short one write nothing.
    const before = await holdingsOf(ctx.db, b.id);
    const both = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: b.id,
        contractId: 502,
        amounts: [
          { source: 'fiscal', amountFen: 10 },
          { source: 'lottery', amountFen: 10_000_000 },
        ],
        userId: null,
        now: now(),
      }),
    ).catch((e) => e);
    expect(both).toBeInstanceOf(InsufficientFunds);
    expect(both.source).toBe('lottery');
    expect(await holdingsOf(ctx.db, b.id)).toEqual(before);
  });

  it('refuses an unknown award item (404) and one that holds no money (409)', async () => {
    const { awardId } = await proposedAward(ctx, venture, allThree);
    const [unconfirmed] = await items(awardId);
    const missing = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: 999_999,
        contractId: null,
        amounts: [{ source: 'fiscal', amountFen: 1 }],
        userId: null,
        now: now(),
      }),
    ).catch((e) => e);
    expect(missing.status).toBe(404);
    const none = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: unconfirmed.id,
        contractId: null,
        amounts: [{ source: 'fiscal', amountFen: 1 }],
        userId: null,
        now: now(),
      }),
    ).catch((e) => e);
    expect(none.status).toBe(409);
    expect(await holdingsOf(ctx.db, unconfirmed.id)).toEqual([]);
    expect(await holdingsOf(ctx.db, 999_999)).toEqual([]);
  });
});

describe('increaseCommitment (available → committed)', () => {
  it('splits the raise in proportion to the item’s funding and moves it from available', async () => {
    const {
      call,
      items: [a],
    } = await finalAward();
    const before = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    const held = await committedOf(a.id); // 233,334 fiscal / 100,000 lottery
    const parts = await tx((trx) =>
      increaseCommitment(trx, { awardItemId: a.id, contractId: 7, amountFen: 10_001, userId: null, now: now() }),
    );
    expect(sum(parts.map((p) => p.amountFen))).toBe(10_001);
    expect(parts).toEqual(
      splitByShares(10_001, [
        { source: 'fiscal', amountFen: held.fiscal },
        { source: 'lottery', amountFen: held.lottery },
      ]),
    );
    const after = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    expect(after.total.committedFen - before.total.committedFen).toBe(10_001);
    expect(before.total.availableFen - after.total.availableFen).toBe(10_001);
    expect(sum(Object.values(await committedOf(a.id)))).toBe(a.amountFen + 10_001);
    const rows = await ctx
      .db('fund_entries')
      .where({ award_item_id: a.id, kind: 'commitment_increase' })
      .select('contract_id', 'call_id');
    expect(rows).toEqual([
      { contract_id: 7, call_id: call.callId },
      { contract_id: 7, call_id: call.callId },
    ]);
  });

  it('is refused with the source and the shortfall when the fund cannot cover it, and changes nothing', async () => {
    const {
      call,
      items: [a],
    } = await finalAward();
    // 50,000 spare in each source; a raise of 200,000 needs about 140,000 fiscal and 60,000 lottery.
    const before = await holdingsOf(ctx.db, a.id);
    const err = await tx((trx) =>
      increaseCommitment(trx, { awardItemId: a.id, contractId: 7, amountFen: 200_000, userId: null, now: now() }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientFunds);
    expect(err.source).toBe('fiscal');
    const want = splitByShares(
      200_000,
      before.map((h) => ({ source: h.source, amountFen: h.committedFen })),
    );
    expect(err.shortfallFen).toBe(want[0].amountFen - 50_000);
    expect(await holdingsOf(ctx.db, a.id)).toEqual(before);
    expect((await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).total.availableFen).toBe(100_000);
    await expect(
      tx((trx) =>
        increaseCommitment(trx, { awardItemId: a.id, contractId: 7, amountFen: -1, userId: null, now: now() }),
      ),
    ).rejects.toThrow(TypeError);
  });
});

describe('releaseCommitment (committed → available)', () => {
  it('releases an amount in proportion to what is unpaid, refuses more, and all_unpaid releases the rest once', async () => {
    const {
      call,
      items: [a, b],
    } = await finalAward();
    await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 9,
        amounts: [{ source: 'fiscal', amountFen: 100_000 }],
        userId: null,
        now: now(),
      }),
    );
    const unpaid = await committedOf(a.id); // fiscal 133,334, lottery 100,000
    const released = await tx((trx) =>
      releaseCommitment(trx, { awardItemId: a.id, contractId: 9, amountFen: 1_001, userId: null, now: now() }),
    );
    expect(released).toEqual(
      splitByShares(1_001, [
        { source: 'fiscal', amountFen: unpaid.fiscal },
        { source: 'lottery', amountFen: unpaid.lottery },
      ]),
    );
    const left = sum(Object.values(await committedOf(a.id)));
    expect(left).toBe(unpaid.fiscal + unpaid.lottery - 1_001);

    const tooMuch = await tx((trx) =>
      releaseCommitment(trx, { awardItemId: a.id, contractId: 9, amountFen: left + 1, userId: null, now: now() }),
    ).catch((e) => e);
    expect(tooMuch).toBeInstanceOf(ReleaseExceedsCommitment);
    expect(tooMuch).toMatchObject({ status: 422, requestedFen: left + 1, committedFen: left });

    const bBefore = await holdingsOf(ctx.db, b.id);
    const all = await tx((trx) =>
      releaseCommitment(trx, { awardItemId: a.id, contractId: 9, amountFen: 'all_unpaid', userId: null, now: now() }),
    );
    expect(sum(all.map((p) => p.amountFen))).toBe(left);
    expect(await holdingsOf(ctx.db, a.id)).toEqual([
      { source: 'fiscal', committedFen: 0, paidFen: 100_000 },
      { source: 'lottery', committedFen: 0, paidFen: 0 },
    ]);
    expect(
      await tx((trx) =>
        releaseCommitment(trx, { awardItemId: a.id, contractId: 9, amountFen: 'all_unpaid', userId: null, now: now() }),
      ),
    ).toEqual([]);
    expect(await holdingsOf(ctx.db, b.id)).toEqual(bBefore);
    const balances = await streetYearBalances(ctx.db, call.streetOfficeId, 2026);
    expect(balances.total.committedFen).toBe(b.amountFen + 333_333);
    expect(balances.total.paidFen).toBe(100_000);
    // The street-year ledger names the new kinds and whose money each row is, in both languages.
    const manager = await agentFor(ctx, call.manager);
    const ledger = await manager.get(`/funds/streets/${call.streetOfficeId}/years/2026`);
    expect(ledger.status).toBe(200);
    expect(ledger.text).toContain('释放承诺');
    // An award item by its organization, linked to the award; a contract by its number (none here: #9).
    const item = await ctx
      .db('award_items as ai')
      .join('bids as b', 'b.id', 'ai.bid_id')
      .join('organizations as o', 'o.id', 'b.organization_id')
      .where('ai.id', a.id)
      .first('ai.award_id', 'o.name');
    expect(ledger.text).toContain(`中标项目：<a href="/awards/${item.award_id}">${item.name}</a>`);
    expect(ledger.text).not.toContain(`中标项目 #${a.id}`);
    expect(ledger.text).toContain('合同 #9');
    expect((await postForm(manager, '/language', { lang: 'en', returnTo: '/dashboard' })).status).toBe(303);
    const en = await manager.get(`/funds/streets/${call.streetOfficeId}/years/2026`);
    expect(en.text).toContain('Commitment released');
  });
});

describe('reversePayment (paid → committed)', () => {
  it('undoes one payment once, pointing at it; refuses a second and an id that is not a payment', async () => {
    const {
      items: [a],
    } = await finalAward();
    const [payment] = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 11,
        amounts: [{ source: 'lottery', amountFen: 40_000 }],
        userId: null,
        now: now(),
      }),
    );
    const reversal = await tx((trx) =>
      reversePayment(trx, { paymentEntryId: payment.entryId, userId: null, now: now(), note: '退回' }),
    );
    expect(reversal).toEqual({ entryId: expect.any(Number), source: 'lottery', amountFen: 40_000 });
    expect(await ctx.db('fund_entries').where({ id: reversal.entryId }).first()).toMatchObject({
      kind: 'payment_reversal',
      reverses_entry_id: payment.entryId,
      award_item_id: a.id,
      contract_id: 11,
      note: '退回',
    });
    expect(await paidOf(a.id)).toMatchObject({ lottery: 0 });
    expect(sum(Object.values(await committedOf(a.id)))).toBe(a.amountFen);
    const again = await tx((trx) =>
      reversePayment(trx, { paymentEntryId: payment.entryId, userId: null, now: now() }),
    ).catch((e) => e);
    expect(again).toMatchObject({ status: 409, messageKey: 'funds.paymentAlreadyReversed' });
    const commitment = await ctx.db('fund_entries').where({ award_item_id: a.id, kind: 'commitment' }).first('id');
    expect(
      (
        await tx((trx) => reversePayment(trx, { paymentEntryId: commitment.id, userId: null, now: now() })).catch(
          (e) => e,
        )
      ).status,
    ).toBe(404);
  });
});

describe('the database itself', () => {
  const raw = async (overrides: Record<string, unknown>) => {
    const base = await ctx.db('fund_entries').where({ kind: 'payment' }).orderBy('id', 'desc').first();
    return ctx.db('fund_entries').insert({
      street_office_id: base.street_office_id,
      year: base.year,
      source: base.source,
      kind: 'payment_reversal',
      amount_fen: 1,
      call_id: base.call_id,
      contract_id: base.contract_id,
      award_item_id: base.award_item_id,
      reverses_entry_id: base.id,
      created_at: START,
      ...overrides,
    });
  };

  it('refuses a payment reversal of another holder, of more than the payment, with no payment, or a kind it does not know', async () => {
    const {
      items: [a, b],
    } = await finalAward();
    const [payment] = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 12,
        amounts: [{ source: 'fiscal', amountFen: 500 }],
        userId: null,
        now: now(),
      }),
    );
    await expect(raw({ award_item_id: b.id })).rejects.toThrow(/same award item/);
    await expect(raw({ amount_fen: 501 })).rejects.toThrow(/same award item/);
    await expect(raw({ contract_id: 13 })).rejects.toThrow(/same award item/);
    await expect(raw({ source: 'lottery' })).rejects.toThrow(/same account/);
    await expect(raw({ reverses_entry_id: null })).rejects.toThrow();
    await expect(raw({ award_item_id: null, kind: 'commitment_release', reverses_entry_id: null })).rejects.toThrow();
    await expect(raw({ kind: 'gift', reverses_entry_id: null })).rejects.toThrow();
    const commitment = await ctx
      .db('fund_entries')
      .where({ award_item_id: a.id, kind: 'commitment', source: 'fiscal' })
      .first('id');
    await expect(raw({ reverses_entry_id: commitment.id })).rejects.toThrow(/same award item/);
    await expect(raw({ kind: 'reversal', award_item_id: null, call_id: null })).rejects.toThrow(/allocation/);
    // The one that fits goes in, once.
    expect(await ctx.db('fund_entries').where({ reverses_entry_id: payment.entryId }).first()).toBeUndefined();
  });

  it('keeps the ledger append-only after the table was rebuilt for the new kinds', async () => {
    const entry = () => ctx.db('fund_entries').where({ kind: 'commitment' });
    await expect(entry().update({ amount_fen: 5 })).rejects.toThrow(/append-only/);
    await expect(entry().delete()).rejects.toThrow(/append-only/);
  });

  it('reconcile names a balance row that differs from its entries', async () => {
    const { call } = await finalAward();
    const row = () =>
      ctx.db('fund_accounts').where({ street_office_id: call.streetOfficeId, year: 2026, source: 'lottery' });
    const good = await row().first();
    await row().update({ paid_fen: 1 });
    const diff = await reconcile(ctx.db, call.streetOfficeId);
    expect(diff).toEqual([
      {
        streetOfficeId: call.streetOfficeId,
        year: 2026,
        source: 'lottery',
        account: expect.objectContaining({ paidFen: 1 }),
        ledger: expect.objectContaining({ paidFen: 0, committedFen: Number(good.committed_fen) }),
      },
    ]);
    expect(await reconcile(ctx.db, call.streetOfficeId + 1000)).toEqual([]);
    await row().update({ paid_fen: 0 });
  });
});

describe('old confirmed awards (commitments without award_item_id)', () => {
  it('are attributed to the award’s items through the call, as confirmAward splits today, and can be paid and released', async () => {
    const { call, awardId } = await proposedAward(ctx, venture, allThree);
    const its = await items(awardId);
    // What confirmAward did before award_item_id existed: one commitment per source for the call.
    await tx(async (trx) => {
      await trx('awards').where({ id: awardId }).update({ status: 'final', final_at: START });
      await trx('calls').where({ id: call.callId }).update({ status: 'awarded' });
      await commitFromReservation(trx, {
        callId: call.callId,
        contractId: null,
        amounts: [
          { source: 'fiscal', amountFen: 700_001 },
          { source: 'lottery', amountFen: 299_999 },
        ],
        userId: null,
        now: now(),
      });
      await releaseCallReservation(trx, { callId: call.callId, userId: null, now: now() });
    });
    expect(
      await ctx
        .db('fund_entries')
        .where({ call_id: call.callId, kind: 'commitment' })
        .whereNotNull('award_item_id')
        .first(),
    ).toBeUndefined();
    const expected = splitMatrix(
      its.map((i) => i.amountFen),
      [700_001, 299_999],
    );
    for (const [r, item] of its.entries())
      expect((await holdingsOf(ctx.db, item.id)).map((h) => h.committedFen)).toEqual(expected[r]);
    const batch = await holdingsOfItems(
      ctx.db,
      its.map((i) => i.id),
    );
    expect(its.map((i) => batch.get(i.id)!.map((h) => h.committedFen))).toEqual(expected);
    await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: its[1].id,
        contractId: 21,
        amounts: [{ source: 'fiscal', amountFen: expected[1][0] }],
        userId: null,
        now: now(),
      }),
    );
    const over = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: its[1].id,
        contractId: 21,
        amounts: [{ source: 'fiscal', amountFen: 1 }],
        userId: null,
        now: now(),
      }),
    ).catch((e) => e);
    expect(over).toBeInstanceOf(InsufficientFunds);
    const released = await tx((trx) =>
      releaseCommitment(trx, {
        awardItemId: its[2].id,
        contractId: 22,
        amountFen: 'all_unpaid',
        userId: null,
        now: now(),
      }),
    );
    expect(sum(released.map((p) => p.amountFen))).toBe(its[2].amountFen);
    expect((await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).total).toMatchObject({
      committedFen: 1_000_000 - expected[1][0] - its[2].amountFen,
      paidFen: expected[1][0],
    });
  });
});

describe('races (real parallel transactions on PostgreSQL)', () => {
  it('two releases of all_unpaid at once release the money once', async () => {
    const {
      call,
      items: [a],
    } = await finalAward();
    const results = await race(
      [1, 2].map(
        () => (trx: Knex.Transaction) =>
          releaseCommitment(trx, {
            awardItemId: a.id,
            contractId: 1,
            amountFen: 'all_unpaid',
            userId: null,
            now: now(),
          }),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const amounts = results
      .map((r) => sum((r as PromiseFulfilledResult<{ amountFen: number }[]>).value.map((p) => p.amountFen)))
      .sort((x, y) => x - y);
    expect(amounts).toEqual([0, a.amountFen]);
    const rows = await ctx
      .db('fund_entries')
      .where({ award_item_id: a.id, kind: 'commitment_release' })
      .sum({ n: 'amount_fen' })
      .first();
    expect(Number(rows!.n)).toBe(a.amountFen);
    expect((await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).total.committedFen).toBe(
      1_000_000 - a.amountFen,
    );
  });

  it('two raises that together exceed what is available: one goes through, the other is told the shortfall', async () => {
    const {
      call,
      items: [a, b],
    } = await finalAward();
    const raise = (itemId: number) => (trx: Knex.Transaction) =>
      increaseCommitment(trx, { awardItemId: itemId, contractId: 2, amountFen: 60_000, userId: null, now: now() });
    const results = await race([raise(a.id), raise(b.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      InsufficientFunds,
    );
    const t = (await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).bySource;
    for (const s of ['fiscal', 'lottery'] as FundSource[])
      expect(t[s].reservedFen + t[s].committedFen + t[s].paidFen).toBeLessThanOrEqual(t[s].allocatedFen);
    expect(sum(Object.values(t).map((x) => x.committedFen))).toBe(1_060_000);
  });

  it('a raise and a release racing keep reserved + committed + paid within the allocation, and the books exact', async () => {
    const {
      call,
      items: [a, b],
    } = await finalAward();
    const results = await race([
      (trx) =>
        increaseCommitment(trx, { awardItemId: a.id, contractId: 3, amountFen: 100_000, userId: null, now: now() }),
      (trx) =>
        releaseCommitment(trx, { awardItemId: b.id, contractId: 4, amountFen: 'all_unpaid', userId: null, now: now() }),
    ]);
    // The release frees 333,333: whichever order, the raise fits only if it ran second, so either
    // both went through or only the release did.
    expect(results[1].status).toBe('fulfilled');
    const t = (await streetYearBalances(ctx.db, call.streetOfficeId, 2026)).bySource;
    for (const s of ['fiscal', 'lottery'] as FundSource[])
      expect(t[s].reservedFen + t[s].committedFen + t[s].paidFen).toBeLessThanOrEqual(t[s].allocatedFen);
    const raised = results[0].status === 'fulfilled' ? 100_000 : 0;
    expect(sum(Object.values(t).map((x) => x.committedFen))).toBe(1_000_000 - b.amountFen + raised);
    expect(sum(Object.values(await committedOf(a.id)))).toBe(a.amountFen + raised);
  });

  it('two reversals of one payment: one', async () => {
    const {
      items: [a],
    } = await finalAward();
    const [payment] = await tx((trx) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 5,
        amounts: [{ source: 'fiscal', amountFen: 70_000 }],
        userId: null,
        now: now(),
      }),
    );
    const results = await race(
      [1, 2].map(
        () => (trx: Knex.Transaction) =>
          reversePayment(trx, { paymentEntryId: payment.entryId, userId: null, now: now() }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.status).toBe(409);
    expect(await ctx.db('fund_entries').where({ reverses_entry_id: payment.entryId })).toHaveLength(1);
    expect(await paidOf(a.id)).toMatchObject({ fiscal: 0 });
  });

  it('two payments that together exceed the item’s commitment: one', async () => {
    const {
      items: [a],
    } = await finalAward();
    const fiscal = (await committedOf(a.id)).fiscal;
    const pay = (trx: Knex.Transaction) =>
      payFromCommitment(trx, {
        awardItemId: a.id,
        contractId: 6,
        amounts: [{ source: 'fiscal', amountFen: fiscal - 1 }],
        userId: null,
        now: now(),
      });
    const results = await race([pay, pay]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(InsufficientFunds);
    expect(refused.shortfallFen).toBe(fiscal - 2);
    expect(await paidOf(a.id)).toMatchObject({ fiscal: fiscal - 1 });
  });
});

describe('the street-year ledger names what an entry concerns', () => {
  it('names a payment’s contract by its number, linked to the contract, and its award item by the organization', async () => {
    const { signedContract } = await import('../helpers/chain');
    const c = await signedContract(ctx);
    await ctx.db.transaction((trx) =>
      payFromCommitment(trx, {
        awardItemId: c.items[0].id,
        contractId: c.contractId,
        amounts: [{ source: 'fiscal', amountFen: 100 }],
        userId: null,
        now: ctx.clock.now(),
      }),
    );
    const { number } = await ctx.db('contracts').where({ id: c.contractId }).first('number');
    const { year } = await ctx.db('fund_entries').where({ contract_id: c.contractId }).first('year');
    const manager = await agentFor(ctx, c.manager);
    const ledger = await manager.get(`/funds/streets/${c.call.streetOfficeId}/years/${year}`);
    expect(ledger.status).toBe(200);
    expect(ledger.text).toContain(`合同：<a href="/contracts/${c.contractId}">${number}</a>`);
    expect(ledger.text).not.toContain(`合同 #${c.contractId}`);
    expect(ledger.text).toContain(`中标项目：<a href="/awards/${c.awardId}">`);
  });
});
