import { createTestContext, type TestContext } from '../helpers/app';
import { verifyAll } from '../../src/audit/verify';
import { BEFORE, bidFields, makeCall, postBid, staffAgent } from './helpers';

/** Parallel bids (real concurrent requests; on PostgreSQL real parallel transactions): each call's
 *  sealed log stays one unbroken chain, counted right, and the main chain does not move. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set('2026-12-01T01:50:00.000Z');
});
afterAll(() => ctx.close());

it('keeps every sealed log whole when many organizations bid on two calls at once', async () => {
  const street = await ctx.make.streetOffice();
  const calls = [
    await makeCall(ctx, { street_office_id: street.id }),
    await makeCall(ctx, { street_office_id: street.id }),
  ];
  const bidders = [];
  for (let i = 0; i < 8; i++) bidders.push(await staffAgent(ctx));
  ctx.clock.set(BEFORE);
  const mainBefore = Number((await ctx.db('audit_events').count({ n: '*' }).first())?.n);
  const results = await Promise.all(
    bidders.map((b, i) => postBid(b.agent, `/calls/${calls[i % 2].id}/bids`, bidFields())),
  );
  expect(results.map((r) => r.status)).toEqual(Array(8).fill(303));
  expect(Number((await ctx.db('audit_events').count({ n: '*' }).first())?.n)).toBe(mainBefore);
  for (const call of calls) {
    const log = await ctx.db('sealed_audit_logs').where({ call_id: call.id }).first();
    // Four bids, each a submit and a file_add event.
    expect(Number(log.event_count)).toBe(8);
    const seqs = (await ctx.db('sealed_audit_events').where({ call_id: call.id }).orderBy('seq').pluck('seq')).map(
      Number,
    );
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }
  expect(await verifyAll(ctx.db)).toMatchObject({ ok: true, sealed: { ok: true, logs: 2, events: 16 } });
});
