import crypto from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/app';
import { minimalPdf } from '../helpers/pdf-fixture';
import { postForm } from '../helpers/http';
import { storeFile } from '../../src/files/storage';
import { reviewerAgent, scenario, refOf, count } from '../reviews/helpers';
import { underReview } from '../reviews/factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

/** A budget line and a proposal PDF on a bid, as the bid form would have left them. */
async function withContents(bidId: number, uploaderId: number) {
  await ctx.db('bid_budget_lines').insert({ bid_id: bidId, position: 1, item: '社工人员经费', amount_fen: 1_200_000 });
  const buffer = minimalPdf();
  const stored = await storeFile(
    ctx.db,
    ctx.config.uploadDir,
    { originalname: '服务方案.pdf', buffer, size: buffer.length } as Express.Multer.File,
    'proposal',
    uploaderId,
    ctx.clock.now(),
  );
  const ref = crypto.randomBytes(8).toString('hex');
  await ctx
    .db('bid_files')
    .insert({ bid_id: bidId, file_id: stored.id, kind: 'proposal', ref, created_at: ctx.clock.now().toISOString() });
  return ref;
}

describe('a reviewer reading a bid', () => {
  it('sees only the organization before declaring, then the texts, budget table and attachments', async () => {
    const s = await scenario(ctx);
    const r = await reviewerAgent(ctx);
    await underReview(ctx, s.f.callId, [r.user.id]);
    const fileRef = await withContents(s.bidA, s.staffA);
    const bidRef = await refOf(ctx, s.bidA);
    const page = `/reviews/calls/${s.f.callId}/bids/${bidRef}`;

    const before = await r.agent.get(page);
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('社工人员经费');
    expect(before.text).not.toContain('服务方案.pdf');
    expect((await r.agent.get(`/bids/${bidRef}/files/${fileRef}`)).status).toBe(404);

    expect((await postForm(r.agent, `${page}/declaration`, { decision: 'none' }, page)).status).toBe(303);
    const after = await r.agent.get(page);
    expect(after.text).toContain('社工人员经费');
    expect(after.text).toContain('¥12,000.00');
    expect(after.text).toContain(`href="/bids/${bidRef}/files/${fileRef}"`);
    const file = await r.agent.get(`/bids/${bidRef}/files/${fileRef}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/pdf');
    const event = await ctx.db('audit_events').where({ action: 'bid.file_download', subject_id: bidRef }).first();
    expect(event.actor_user_id).toBe(r.user.id);
    expect(Number(event.street_office_id)).toBe(s.f.streetOfficeId);
  });

  it('a reviewer who declared a conflict gets neither the contents nor the file', async () => {
    const s = await scenario(ctx);
    const r = await reviewerAgent(ctx);
    await underReview(ctx, s.f.callId, [r.user.id]);
    const fileRef = await withContents(s.bidA, s.staffA);
    const bidRef = await refOf(ctx, s.bidA);
    const page = `/reviews/calls/${s.f.callId}/bids/${bidRef}`;
    await postForm(r.agent, `${page}/declaration`, { decision: 'conflict', note: '亲属任职' }, page);
    expect((await r.agent.get(page)).text).not.toContain('社工人员经费');
    expect((await r.agent.get(`/bids/${bidRef}/files/${fileRef}`)).status).toBe(404);
  });
});

describe('the manager reading a bid once bids are opened', () => {
  it('the review page links each bid to its read-only page, with budget and files, and downloads are audited', async () => {
    const s = await scenario(ctx);
    const fileRef = await withContents(s.bidA, s.staffA);
    await postForm(s.manager.agent, `/reviews/calls/${s.f.callId}/opening`, {});
    const bidRef = await refOf(ctx, s.bidA);
    const review = await s.manager.agent.get(`/reviews/calls/${s.f.callId}`);
    expect(review.text).toContain(`href="/bids/${bidRef}"`);
    const bid = await s.manager.agent.get(`/bids/${bidRef}`);
    expect(bid.status).toBe(200);
    expect(bid.text).toContain('服务方案正文');
    expect(bid.text).toContain('社工人员经费');
    expect(bid.text).not.toContain(`/bids/${bidRef}/edit`);
    expect(bid.text).toContain(`href="/reviews/calls/${s.f.callId}"`);
    const before = await count(ctx, 'audit_events', { action: 'bid.file_download' });
    expect((await s.manager.agent.get(`/bids/${bidRef}/files/${fileRef}`)).status).toBe(200);
    expect(await count(ctx, 'audit_events', { action: 'bid.file_download' })).toBe(before + 1);
  });

  it("the organization's own download is not an audit event (its own file, possibly before the deadline)", async () => {
    const s = await scenario(ctx);
    const fileRef = await withContents(s.bidA, s.staffA);
    const { signIn } = await import('../helpers/http');
    const staff = await ctx.db('users').where({ id: s.staffA }).first('username');
    const agent = await signIn(ctx, staff.username);
    const before = await count(ctx, 'audit_events', { action: 'bid.file_download' });
    expect((await agent.get(`/bids/${await refOf(ctx, s.bidA)}/files/${fileRef}`)).status).toBe(200);
    expect(await count(ctx, 'audit_events', { action: 'bid.file_download' })).toBe(before);
  });
});

describe('the review page before the deadline and closing scoring', () => {
  it('labels an open call as still collecting bids, not "deadline passed"', async () => {
    const s = await scenario(ctx, { closesAt: '2026-12-31T09:00:00.000Z' });
    const res = await s.manager.agent.get(`/reviews/calls/${s.f.callId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('征集中，尚未截止');
    expect(res.text).not.toContain('已截止，尚未开标');
  });

  it('shows 结束评分 disabled with the reason while a bid has no complete sheet', async () => {
    const s = await scenario(ctx);
    await postForm(s.manager.agent, `/reviews/calls/${s.f.callId}/opening`, {});
    const res = await s.manager.agent.get(`/reviews/calls/${s.f.callId}`);
    expect(res.text).toMatch(
      /<button type="button" class="primary" disabled aria-describedby="close-blocked">结束评分<\/button>/,
    );
    expect(res.text).toContain('id="close-blocked"');
    expect(res.text).not.toContain(`action="/reviews/calls/${s.f.callId}/scoring-closure"`);
  });
});
