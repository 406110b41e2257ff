import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { agentFor, readyCall, type ReadyCall } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const tender = () =>
  readyCall(ctx, {
    bids: [
      {
        priceFen: 900_000,
        scores: [
          [90, 80],
          [80, 90],
        ],
      }, // 86 and 84 -> 85.00, rank 1
      {
        priceFen: 800_000,
        scores: [
          [70, 70],
          [75, 65],
        ],
      }, // 70 and 71 -> 70.50, rank 2
    ],
  });

async function propose(agent: Agent, call: ReadyCall, fields: Record<string, string | string[]>) {
  const token = await csrfFrom(agent, '/manage/awards');
  return agent
    .post(`/calls/${call.callId}/award`)
    .type('form')
    .send({ _csrf: token, ...fields });
}

describe('proposing an award (200/303)', () => {
  it('shows the ranking with the top bid chosen, and publishes the award of the top bid at its price', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    const form = await manager.get(`/calls/${call.callId}/award/new`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('85.00');
    expect(form.text).toMatch(new RegExp(`name="winner" value="${call.bids[0].bidRef}" checked`));

    const res = await propose(manager, call, { winner: call.bids[0].bidRef });
    expect(res.status).toBe(303);
    const award = await ctx.db('awards').where({ call_id: call.callId }).first();
    expect(res.headers.location).toBe(`/awards/${award.id}`);
    expect(award.status).toBe('proposed');
    expect(new Date(award.publicity_ends_at).getTime() - new Date(award.proposed_at).getTime()).toBe(7 * 86400000);
    const items = await ctx.db('award_items').where({ award_id: award.id });
    expect(items.map((i) => [Number(i.bid_id), Number(i.amount_fen), Number(i.rank)])).toEqual([
      [call.bids[0].bidId, 900_000, 1],
    ]);
    expect((await ctx.db('calls').where({ id: call.callId }).first()).status).toBe('publicity');
    const audit = await ctx
      .db('audit_events')
      .where({ action: 'award.propose', subject_id: String(award.id) })
      .first();
    expect(audit).toBeTruthy();
    // Both bidders' staff are told, nobody else.
    const told = await ctx
      .db('notifications')
      .where({ kind: 'award.proposed', subject_id: String(award.id) })
      .orderBy('user_id')
      .select('user_id');
    expect(told.map((t) => Number(t.user_id))).toEqual(call.bids.map((b) => b.staff.id).sort((a, b) => a - b));

    // The public page, without signing in.
    const page = await request(ctx.app).get(`/awards/${award.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('85.00');
    expect(page.text).toContain('70.50');
    expect(page.text).toContain('¥9,000.00');
  });

  it('lets the manager pass over the top bid with a written reason, which is published', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    const res = await propose(manager, call, {
      winner: call.bids[1].bidRef,
      [`reason_${call.bids[0].bidRef}`]: '第一名的资质证书已过期',
    });
    expect(res.status).toBe(303);
    const page = await request(ctx.app).get(res.headers.location);
    expect(page.text).toContain('第一名的资质证书已过期');
    const award = await ctx.db('awards').where({ call_id: call.callId }).first();
    expect(Number((await ctx.db('award_items').where({ award_id: award.id }).first()).amount_fen)).toBe(800_000);
  });

  it('awards several venture proposals within the cap and the pool', async () => {
    const call = await readyCall(ctx, {
      venture: true,
      sources: { fiscal: 600_000, lottery: 400_000 },
      capFen: 500_000,
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 450_000, scores: [[80, 80]] },
        { priceFen: 300_000, scores: [[70, 70]] },
      ],
    });
    const manager = await agentFor(ctx, call.manager);
    const [a, b, c] = call.bids.map((x) => x.bidRef);
    const res = await propose(manager, call, {
      [`select_${a}`]: '1',
      [`amount_${a}`]: '5000',
      [`select_${c}`]: '1',
      [`amount_${c}`]: '2,500.50',
      [`reason_${b}`]: '与已资助项目内容重复',
    });
    expect(res.status).toBe(303);
    const award = await ctx.db('awards').where({ call_id: call.callId }).first();
    const items = await ctx.db('award_items').where({ award_id: award.id }).orderBy('rank');
    expect(items.map((i) => Number(i.amount_fen))).toEqual([500_000, 250_050]);
    expect((await ctx.db('award_skips').where({ award_id: award.id })).map((s) => Number(s.bid_id))).toEqual([
      call.bids[1].bidId,
    ]);
  });
});

describe('the reason for passing over: a box only for a higher-ranked bid the choice passes over', () => {
  /** The reason box of a bid as the page renders it: absent, hidden (until the choice changes) or shown. */
  function reasonBox(html: string, bidRef: string): 'absent' | 'hidden' | 'shown' {
    const at = html.indexOf(`name="reason_${bidRef}"`);
    if (at < 0) return 'absent';
    const open = html.lastIndexOf('<div class="skip-reason"', at);
    return /^<div class="skip-reason" hidden>/.test(html.slice(open)) ? 'hidden' : 'shown';
  }

  it('hides every box while the top bid is chosen, and gives the lowest-ranked bid none (it cannot be passed over)', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    const form = await manager.get(`/calls/${call.callId}/award/new`);
    expect(reasonBox(form.text, call.bids[0].bidRef)).toBe('hidden');
    expect(reasonBox(form.text, call.bids[1].bidRef)).toBe('absent');
  });

  it('without JavaScript, choosing a lower-ranked bid re-shows the form asking the reason for the passed-over bid only', async () => {
    const call = await readyCall(ctx, {
      bids: [
        { priceFen: 900_000, scores: [[90, 90]] },
        { priceFen: 800_000, scores: [[80, 80]] },
        { priceFen: 700_000, scores: [[70, 70]] },
      ],
    });
    const manager = await agentFor(ctx, call.manager);
    const [a, b, c] = call.bids.map((x) => x.bidRef);
    const res = await propose(manager, call, { winner: b });
    expect(res.status).toBe(422);
    expect(reasonBox(res.text, a)).toBe('shown');
    expect(reasonBox(res.text, b)).toBe('hidden');
    expect(reasonBox(res.text, c)).toBe('absent');
    expect(res.text).toMatch(new RegExp(`name="winner" value="${b}" checked`));
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);

    // A reason typed for a bid that is not passed over is not asked for and not kept.
    const done = await propose(manager, call, {
      winner: b,
      [`reason_${a}`]: '资质证书已过期',
      [`reason_${b}`]: '不适用',
    });
    expect(done.status).toBe(303);
    const award = await ctx.db('awards').where({ call_id: call.callId }).first();
    expect(
      (await ctx.db('award_skips').where({ award_id: award.id })).map((s) => [Number(s.bid_id), s.reason]),
    ).toEqual([[call.bids[0].bidId, '资质证书已过期']]);
  });

  it('on a venture call shows the boxes of the unchosen bids above the lowest chosen one', async () => {
    const call = await readyCall(ctx, {
      venture: true,
      sources: { fiscal: 600_000, lottery: 400_000 },
      capFen: 500_000,
      bids: [
        { priceFen: 300_000, scores: [[90, 90]] },
        { priceFen: 300_000, scores: [[80, 80]] },
        { priceFen: 300_000, scores: [[70, 70]] },
      ],
    });
    const manager = await agentFor(ctx, call.manager);
    const [a, b, c] = call.bids.map((x) => x.bidRef);
    const res = await propose(manager, call, {
      [`select_${a}`]: '1',
      [`amount_${a}`]: '3000',
      [`select_${c}`]: '1',
      [`amount_${c}`]: '3000',
    });
    expect(res.status).toBe(422);
    expect(reasonBox(res.text, a)).toBe('hidden');
    expect(reasonBox(res.text, b)).toBe('shown');
    expect(reasonBox(res.text, c)).toBe('absent');
  });
});

describe('refusals (403/404/409)', () => {
  it('refuses a proposal before scoring is closed with 409, and writes nothing', async () => {
    const call = await readyCall(ctx, { scoringClosed: false, bids: [{ priceFen: 100_000, scores: [[80, 80]] }] });
    const manager = await agentFor(ctx, call.manager);
    expect((await manager.get(`/calls/${call.callId}/award/new`)).status).toBe(409);
    const res = await propose(manager, call, { winner: call.bids[0].bidRef });
    expect(res.status).toBe(409);
    expect(res.text).toContain('评分尚未结束');
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);
  });

  it('refuses a second proposal with 409 once one is published', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    expect((await propose(manager, call, { winner: call.bids[0].bidRef })).status).toBe(303);
    const again = await propose(manager, call, { winner: call.bids[0].bidRef });
    expect(again.status).toBe(409);
    expect(await ctx.db('awards').where({ call_id: call.callId })).toHaveLength(1);
  });

  it('refuses a manager of another street office (403) and other roles', async () => {
    const call = await tender();
    const other = await loginAs(ctx, 'manager');
    expect((await other.agent.get(`/calls/${call.callId}/award/new`)).status).toBe(403);
    expect((await propose(other.agent, call, { winner: call.bids[0].bidRef })).status).toBe(403);
    const staff = await agentFor(ctx, call.bids[0].staff);
    expect((await staff.get(`/calls/${call.callId}/award/new`)).status).toBe(403);
    const reviewer = await agentFor(ctx, call.reviewers[0]);
    expect((await reviewer.get(`/calls/${call.callId}/award/new`)).status).toBe(403);
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);
  });

  it('answers 404 for a call that does not exist or a malformed id', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    expect((await agent.get('/calls/999999/award/new')).status).toBe(404);
    expect((await agent.get('/calls/abc/award/new')).status).toBe(404);
  });
});

describe('bad input (422): the form again with the message and the typed values, nothing written', () => {
  it('refuses passing over a higher-ranked bid without a reason', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    const res = await propose(manager, call, { winner: call.bids[1].bidRef });
    expect(res.status).toBe(422);
    expect(res.text).toContain('须写明理由');
    expect(res.text).toMatch(new RegExp(`name="winner" value="${call.bids[1].bidRef}" checked`));
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);
  });

  it('refuses no choice, a forged bid id and a list where text is expected', async () => {
    const call = await tender();
    const manager = await agentFor(ctx, call.manager);
    expect((await propose(manager, call, {})).status).toBe(422);
    const forged = await propose(manager, call, { winner: '999999' });
    expect(forged.status).toBe(422);
    const list = await propose(manager, call, { winner: [call.bids[0].bidRef, call.bids[1].bidRef] });
    expect(list.status).toBe(422);
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);
  });

  it('refuses venture amounts above the price, the cap or the pool', async () => {
    const call = await readyCall(ctx, {
      venture: true,
      sources: { fiscal: 1_000_000 },
      capFen: 600_000,
      bids: [
        { priceFen: 700_000, scores: [[90, 90]] },
        { priceFen: 500_000, scores: [[80, 80]] },
        { priceFen: 500_000, scores: [[70, 70]] },
      ],
    });
    const manager = await agentFor(ctx, call.manager);
    const [a, b, c] = call.bids.map((x) => x.bidRef);
    const aboveCap = await propose(manager, call, { [`select_${a}`]: '1', [`amount_${a}`]: '6500' });
    expect(aboveCap.status).toBe(422);
    expect(aboveCap.text).toContain('单个项目资助上限');
    expect(aboveCap.text).toContain('value="6500"');
    const abovePrice = await propose(manager, call, {
      [`select_${b}`]: '1',
      [`amount_${b}`]: '5000.01',
      [`reason_${a}`]: '理由',
    });
    expect(abovePrice.status).toBe(422);
    expect(abovePrice.text).toContain('报价');
    const abovePool = await propose(manager, call, {
      [`select_${a}`]: '1',
      [`amount_${a}`]: '6000',
      [`select_${b}`]: '1',
      [`amount_${b}`]: '3000',
      [`select_${c}`]: '1',
      [`amount_${c}`]: '1000.01',
    });
    expect(abovePool.status).toBe(422);
    expect(abovePool.text).toContain('超过了项目预算');
    const notMoney = await propose(manager, call, { [`select_${a}`]: '1', [`amount_${a}`]: '-5' });
    expect(notMoney.status).toBe(422);
    expect(await ctx.db('awards').where({ call_id: call.callId })).toEqual([]);
  });
});
