import { createTestContext, type TestContext } from '../helpers/app';
import { createContract } from '../../src/modules/contracts/service/drafting';
import { formatNumber } from '../../src/modules/contracts/numbering';
import { InvalidState } from '../../src/web/errors';
import { finalAward } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const actor = { userId: null, label: 'race', role: 'manager', ip: null, requestId: null };
const N = 20;

/** A venture call with 20 winning proposals of ¥1,000 each, its award final. */
async function twentyItems() {
  const bids = Array.from({ length: N }, (_, i) => ({ priceFen: 100_000, scores: [[90 - i, 90 - i]] }));
  return finalAward(ctx, { venture: true, sources: { fiscal: N * 100_000 }, capFen: 100_000, bids }, (call) =>
    Object.fromEntries(
      call.bids.flatMap((b) => [
        [`select_${b.bidRef}`, '1'],
        [`amount_${b.bidRef}`, '1000'],
      ]),
    ),
  );
}

it(`gives ${N} parallel creations ${N} distinct consecutive numbers (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const award = await twentyItems();
  expect(award.items).toHaveLength(N);
  const results = await Promise.allSettled(
    award.items.map((item) => createContract(ctx, actor, award.manager, award.awardId, item.id)),
  );
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const rows = await ctx.db('contracts').where({ award_id: award.awardId }).select('number', 'seq', 'street_office_id');
  const street = await ctx.db('street_offices').where({ id: award.call.streetOfficeId }).first('short_code');
  expect(rows.map((r) => Number(r.seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(new Set(rows.map((r) => r.number)).size).toBe(N);
  expect(rows.map((r) => r.number).sort()).toEqual(
    Array.from({ length: N }, (_, i) => formatNumber(street.short_code, 2026, i + 1)),
  );
  expect(
    Number(
      (await ctx.db('contract_counters').where({ street_office_id: award.call.streetOfficeId, year: 2026 }).first())
        .last_seq,
    ),
  ).toBe(N);
});

it('lets one of two parallel creations for the same item win; the other is told and takes no number', async () => {
  const award = await finalAward(
    ctx,
    {
      venture: true,
      sources: { fiscal: 200_000 },
      capFen: 100_000,
      bids: [
        { priceFen: 100_000, scores: [[90, 90]] },
        { priceFen: 100_000, scores: [[80, 80]] },
      ],
    },
    (call) =>
      Object.fromEntries(
        call.bids.flatMap((b) => [
          [`select_${b.bidRef}`, '1'],
          [`amount_${b.bidRef}`, '1000'],
        ]),
      ),
  );
  const results = await Promise.allSettled(
    [0, 1].map(() => createContract(ctx, actor, award.manager, award.awardId, award.items[0].id)),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(refused.reason).toBeInstanceOf(InvalidState);
  expect(refused.reason.messageKey).toBe('contracts.errors.itemHasContract');
  const counter = await ctx
    .db('contract_counters')
    .where({ street_office_id: award.call.streetOfficeId, year: 2026 })
    .first();
  expect(Number(counter.last_seq)).toBe(1);
  // The next one takes 2: nothing skipped.
  const second = await createContract(ctx, actor, award.manager, award.awardId, award.items[1].id);
  expect((await ctx.db('contracts').where({ id: second }).first()).seq).toBe(2);
});

describe('state changes racing', () => {
  it('signs once when two signatures race: one PDF stored, one audit event, the other told', async () => {
    const { draftContract, staffUser } = await import('./factory');
    const { sendContract, acceptContract, signContract } = await import('../../src/modules/contracts/service/signing');
    const d = await draftContract(ctx);
    await sendContract(ctx, actor, d.manager, d.contractId);
    await acceptContract(ctx, actor, staffUser(d.call), d.contractId);
    const files = Number((await ctx.db('stored_files').count({ n: '*' }).first())!.n);
    const results = await Promise.allSettled([0, 1].map(() => signContract(ctx, actor, d.manager, d.contractId)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(InvalidState);
    expect(Number((await ctx.db('stored_files').count({ n: '*' }).first())!.n)).toBe(files + 1);
    expect(
      await ctx.db('audit_events').where({ action: 'contract.sign', subject_id: String(d.contractId) }),
    ).toHaveLength(1);
  });

  it('commits a raise once when the organization accepts the same amendment twice at once', async () => {
    const { signedContract, staffUser } = await import('./factory');
    const { proposeAmendment, acceptAmendment } = await import('../../src/modules/contracts/service/amendments');
    const { termsOf, versionInForce } = await import('../../src/modules/contracts/queries');
    const { termsToValues, mf } = await import('../../src/modules/contracts/terms');
    const { fenToInput } = await import('../../src/shared/money');
    const { holdingsOf } = await import('../../src/modules/funds');
    const c = await signedContract(ctx, { spareFen: 1_000_000 });
    const terms = termsOf((await versionInForce(ctx.db, c.contractId))!);
    const body: Record<string, string> = {
      ...termsToValues(terms, fenToInput),
      amount: fenToInput(terms.amountFen + 10_000),
      reason_amount: '增加',
      reason_milestones: '调整',
    };
    body[mf(3, 'share')] = fenToInput(terms.milestones[2].amountFen + 10_000);
    const versionId = await proposeAmendment(ctx, actor, c.manager, c.contractId, body);
    const results = await Promise.allSettled(
      [0, 1].map(() => acceptAmendment(ctx, actor, staffUser(c.call), c.contractId, versionId)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const committed = (await holdingsOf(ctx.db, c.items[0].id)).reduce((s, h) => s + h.committedFen, 0);
    expect(committed).toBe(terms.amountFen + 10_000);
    expect(await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'current' })).toHaveLength(1);
  });
});
