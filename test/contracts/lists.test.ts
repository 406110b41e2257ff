import { createTestContext, type TestContext } from '../helpers/app';
import { signIn } from '../helpers/http';
import { systemActor } from '../../src/audit/audit';
import { createContract } from '../../src/modules/contracts/service/drafting';
import { sendContract } from '../../src/modules/contracts/service/signing';
import { finalAward } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

it('filters the manager list by status, year and organization, pages it, and shows each organization only its own sent contracts', async () => {
  const n = 22;
  const bids = Array.from({ length: n }, (_, i) => ({ priceFen: 100_000, scores: [[90 - i, 90 - i]] }));
  const award = await finalAward(
    ctx,
    { venture: true, sources: { fiscal: n * 100_000 }, capFen: 100_000, bids },
    (call) =>
      Object.fromEntries(
        call.bids.flatMap((b) => [
          [`select_${b.bidRef}`, '1'],
          [`amount_${b.bidRef}`, '1000'],
        ]),
      ),
  );
  const ids: number[] = [];
  for (const item of award.items)
    ids.push(await createContract(ctx, systemActor, award.manager, award.awardId, item.id));
  await sendContract(ctx, systemActor, award.manager, ids[0]);
  const numbers = (await ctx.db('contracts').whereIn('id', ids).orderBy('id').pluck('number')) as string[];
  const manager = await signIn(ctx, award.call.manager.username);

  const first = await manager.get('/contracts');
  expect(first.text).toContain('第 1 / 2 页');
  expect(first.text).toContain(numbers[n - 1]); // newest first
  expect(first.text).not.toContain(`>${numbers[0]}<`);
  expect((await manager.get('/contracts?page=2')).text).toContain(`>${numbers[0]}<`);

  const sent = await manager.get('/contracts?status=sent');
  expect(sent.text).toContain(`>${numbers[0]}<`);
  expect(sent.text).not.toContain(`>${numbers[1]}<`);
  expect((await manager.get('/contracts?year=2025')).text).toContain('没有符合条件的合同');
  const org = award.call.bids[1].organizationId;
  const byOrg = await manager.get(`/contracts?organization=${org}`);
  expect(byOrg.text).toContain(`>${numbers[1]}<`);
  expect(byOrg.text).not.toContain(`>${numbers[2]}<`);
  expect((await manager.get('/contracts?status=bogus&year=x&organization=y')).status).toBe(200);

  // The organization of the sent contract sees it; the one whose contract is still a draft sees nothing.
  expect((await signIn(ctx, award.call.bids[0].staff.username).then((a) => a.get('/my/contracts'))).text).toContain(
    `>${numbers[0]}<`,
  );
  expect((await signIn(ctx, award.call.bids[1].staff.username).then((a) => a.get('/my/contracts'))).text).toContain(
    '没有符合条件的合同',
  );
});
