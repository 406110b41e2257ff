import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { proposedAward } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('GET /calls/:callId/award-notice', () => {
  it('takes anyone from a call to its standing award notice', async () => {
    const { call, awardId } = await proposedAward(ctx, {
      sources: { fiscal: 500_000 },
      bids: [{ priceFen: 400_000, scores: [[90, 90]] }],
    } as Parameters<typeof proposedAward>[1]);
    const res = await request(ctx.app).get(`/calls/${call.callId}/award-notice`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/awards/${awardId}`);
    expect((await request(ctx.app).get(`/calls/${call.callId}`)).text).toContain(`/calls/${call.callId}/award-notice`);
  });

  it('answers 404 when no award stands on the call, and for nonsense ids', async () => {
    expect((await request(ctx.app).get('/calls/999/award-notice')).status).toBe(404);
    expect((await request(ctx.app).get('/calls/abc/award-notice')).status).toBe(404);
  });
});
