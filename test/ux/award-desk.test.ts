import { createTestContext, type TestContext } from '../helpers/app';
import { agentFor, proposedAward } from '../awards/factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const twoBids = {
  bids: [
    { priceFen: 500_000, scores: [[90, 90]] },
    { priceFen: 400_000, scores: [[60, 60]] },
  ],
};

describe('the award desk offers its next steps as links and buttons', () => {
  it('during publicity: the confirmation is shown disabled with the date it becomes possible', async () => {
    const { call } = await proposedAward(ctx, twoBids);
    const desk = await (await agentFor(ctx, call.manager)).get('/manage/awards');
    expect(desk.status).toBe(200);
    expect(desk.text).toMatch(
      /<button type="button" disabled aria-describedby="wait-\d+">确定中标\/立项结果<\/button>/,
    );
  });

  it('with an open objection: 答复质疑 links to the oldest open objection', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const at = ctx.clock.now().toISOString();
    const [first] = await ctx
      .db('objections')
      .insert({
        award_id: awardId,
        call_id: call.callId,
        organization_id: call.bids[1].organizationId,
        lodged_by: call.bids[1].staff.id,
        reasons: '理由',
        status: 'open',
        lodged_at: at,
      })
      .returning('id');
    const id = Number(typeof first === 'object' ? first.id : first);
    const desk = await (await agentFor(ctx, call.manager)).get('/manage/awards');
    expect(desk.text).toContain(`href="/awards/${awardId}/objections/${id}">答复质疑`);
  });

  it('after publicity without open objections: a button to the confirmation; the notice links the call', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    await ctx
      .db('awards')
      .where({ id: awardId })
      .update({ publicity_ends_at: new Date(ctx.clock.now().getTime() - 1000).toISOString() });
    const manager = await agentFor(ctx, call.manager);
    const desk = await manager.get('/manage/awards');
    expect(desk.text).toContain(`href="/awards/${awardId}#h-confirm">公示期满，可以确定结果`);
    const notice = await manager.get(`/awards/${awardId}`);
    expect(notice.text).toContain('id="h-confirm"');
    expect(notice.text).toContain(`action="/awards/${awardId}/confirmation"`);
    expect(notice.text).toContain(`href="/calls/${call.callId}"`);
  });
});
