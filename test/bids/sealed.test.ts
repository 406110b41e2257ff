import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, type Agent } from '../helpers/http';
import { AFTER, BEFORE, bidFields, makeCall, postBid, staffAgent } from './helpers';

/**
 * The sealed-bid matrix (issue 4): every route or download that touches a bid, for the owner, another
 * organization, the manager, a reviewer, an auditor, the administrator and the public, one second on
 * either side of the deadline. Before it, nobody but the bidder learns anything, not even that a bid
 * exists: a bid of another organization is the same 404 as a bid that does not exist.
 */
let ctx: TestContext;
let callId: number;
let bidId: string; // public references: URLs never carry ids
let bidNumber: number;
let fileId: string;
let draftId: string;
const who: Record<string, Agent> = {};
let public_: Agent;
const ORG_NAME = '密封测试社工服务中心';
const PRICE = '¥300,000.00';

beforeAll(async () => {
  ctx = await createTestContext();
  // Near the deadline, so that sessions stay inside their idle timeout on both sides of it.
  ctx.clock.set('2026-12-01T01:45:00.000Z');
  const street = await ctx.make.streetOffice();
  const otherStreet = await ctx.make.streetOffice();
  const call = await makeCall(ctx, { street_office_id: street.id, title: '密封测试项目' });
  callId = call.id;
  const owner = await staffAgent(ctx, { name: ORG_NAME });
  who.owner = owner.agent;
  await postBid(owner.agent, `/calls/${callId}/bids`, bidFields());
  const bid = await ctx.db('bids').where({ call_id: callId, organization_id: owner.org.id }).first();
  bidId = bid.ref;
  bidNumber = Number(bid.id);
  fileId = (await ctx.db('bid_files').where({ bid_id: bidNumber }).first()).ref;
  const drafter = await staffAgent(ctx, { name: '只存了草稿的机构' });
  await postBid(drafter.agent, `/calls/${callId}/bids`, bidFields({ intent: 'draft' }));
  draftId = (await ctx.db('bids').where({ call_id: callId, organization_id: drafter.org.id }).first()).ref;

  who.otherOrg = (await staffAgent(ctx)).agent;
  who.manager = (await loginAs(ctx, 'manager', { street_office_id: street.id })).agent;
  who.otherManager = (await loginAs(ctx, 'manager', { street_office_id: otherStreet.id })).agent;
  const reviewer = await loginAs(ctx, 'reviewer');
  who.reviewer = reviewer.agent;
  const at = ctx.clock.now().toISOString();
  await ctx.db('call_reviewers').insert({ call_id: callId, reviewer_id: reviewer.user.id, assigned_at: at });
  await ctx.db('conflict_declarations').insert({
    call_id: callId,
    reviewer_id: reviewer.user.id,
    bid_id: bidNumber,
    has_conflict: false,
    declared_at: at,
  });
  who.otherReviewer = (await loginAs(ctx, 'reviewer')).agent;
  const conflicted = await loginAs(ctx, 'reviewer');
  who.conflictedReviewer = conflicted.agent;
  await ctx.db('call_reviewers').insert({ call_id: callId, reviewer_id: conflicted.user.id, assigned_at: at });
  await ctx.db('conflict_declarations').insert({
    call_id: callId,
    reviewer_id: conflicted.user.id,
    bid_id: bidNumber,
    has_conflict: true,
    declared_at: at,
  });
  who.auditor = (await loginAs(ctx, 'auditor', { auditStreets: [street.id] })).agent;
  who.otherAuditor = (await loginAs(ctx, 'auditor', { auditStreets: [otherStreet.id] })).agent;
  who.admin = (await loginAs(ctx, 'admin')).agent;
  public_ = request.agent(ctx.app);
});
afterAll(() => ctx.close());

const NOT_OWNERS = [
  'otherOrg',
  'manager',
  'otherManager',
  'reviewer',
  'otherReviewer',
  'auditor',
  'otherAuditor',
  'admin',
];
const strip = (html: string) => html.replace(/value="[^"]+"/g, '').replace(/<nav[\s\S]*?<\/nav>/g, '');

describe('before the deadline (one second before)', () => {
  beforeAll(() => ctx.clock.set(BEFORE));

  it('shows the bid, its file and its form to the bidding organization', async () => {
    expect((await who.owner.get(`/bids/${bidId}`)).status).toBe(200);
    expect((await who.owner.get(`/bids/${bidId}/files/${fileId}`)).status).toBe(200);
    expect((await who.owner.get(`/bids/${bidId}/edit`)).status).toBe(200);
  });

  it.each(NOT_OWNERS)(
    'answers %s with the same 404 as a bid that does not exist, for the page and the file',
    async (name) => {
      const page = await who[name].get(`/bids/${bidId}`);
      const missing = await who[name].get('/bids/0123456789abcdef');
      expect(page.status).toBe(404);
      expect(strip(page.text)).toBe(strip(missing.text));
      expect((await who[name].get(`/bids/${bidId}/files/${fileId}`)).status).toBe(404);
      expect((await who[name].get(`/bids/${draftId}`)).status).toBe(404);
    },
  );

  it('refuses the edit form to everyone else: another organization 404, other roles by role', async () => {
    expect((await who.otherOrg.get(`/bids/${bidId}/edit`)).status).toBe(404);
    for (const name of ['manager', 'reviewer', 'auditor', 'admin'])
      expect((await who[name].get(`/bids/${bidId}/edit`)).status).toBe(403);
  });

  it('sends the public to sign in, without a word about the bid', async () => {
    for (const path of [`/bids/${bidId}`, `/bids/${bidId}/files/${fileId}`, `/bids/${bidId}/edit`]) {
      const res = await public_.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
    }
  });

  it.each([...NOT_OWNERS, 'public'])(
    'shows %s nothing about bids on the call page: no count, no name, no price',
    async (name) => {
      const res = await (name === 'public' ? public_ : who[name]).get(`/calls/${callId}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(ORG_NAME);
      expect(res.text).not.toContain(PRICE);
      expect(res.text).not.toContain('份投标书');
      expect(res.text).not.toContain(`/bids/${bidId}`);
      if (name !== 'otherOrg') expect(res.text).not.toContain('h-bid-panel');
    },
  );

  it('lists the bid only in its own organization’s "my bids"', async () => {
    expect((await who.owner.get('/my/bids')).text).toContain('密封测试项目');
    const other = await who.otherOrg.get('/my/bids');
    expect(other.text).not.toContain('密封测试项目');
    expect(other.text).toContain('还没有投标书');
  });

  it('keeps the bid’s audit events out of the main chain, in the call’s sealed log', async () => {
    expect(await ctx.db('audit_events').where({ subject_type: 'bid' }).select('id')).toEqual([]);
    const sealed = await ctx
      .db('sealed_audit_events')
      .where({ call_id: callId })
      .orderBy('seq')
      .select('action', 'subject_id');
    expect(sealed.map((e) => e.action)).toEqual(expect.arrayContaining(['bid.submit', 'bid.save_draft']));
    expect(sealed.map((e) => e.subject_id)).toContain(bidId);
    const trail = await who.auditor.get('/audit?action=bid');
    expect(trail.status).toBe(200);
    // The action filter lists every action by name; the table itself has no event at all.
    expect(trail.text).toContain('暂无审计事件');
  });
});

describe('after the deadline (one second after)', () => {
  beforeAll(() => ctx.clock.set(AFTER));

  it.each(['owner', 'manager', 'admin', 'auditor', 'reviewer'])(
    'shows the submitted bid and its file to %s',
    async (name) => {
      const page = await who[name].get(`/bids/${bidId}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(PRICE);
      const file = await who[name].get(`/bids/${bidId}/files/${fileId}`).buffer(true);
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toMatch(/^attachment;/);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it.each(['otherOrg', 'otherManager', 'otherAuditor', 'otherReviewer', 'conflictedReviewer'])(
    'still answers %s with 404',
    async (name) => {
      expect((await who[name].get(`/bids/${bidId}`)).status).toBe(404);
      expect((await who[name].get(`/bids/${bidId}/files/${fileId}`)).status).toBe(404);
    },
  );

  it('never shows a draft to anyone but its organization', async () => {
    for (const name of ['manager', 'admin', 'auditor', 'reviewer'])
      expect((await who[name].get(`/bids/${draftId}`)).status).toBe(404);
  });

  it('changes nothing for the owner any more (409)', async () => {
    const res = await who.owner.get(`/bids/${bidId}/edit`);
    expect(res.status).toBe(409);
    const page = await who.owner.get(`/bids/${bidId}`);
    expect(page.text).not.toContain(`/bids/${bidId}/withdrawal`);
  });

  it('shows the manager and the auditor the count until the bids are opened, then the list; the public and others nothing', async () => {
    for (const name of ['manager', 'auditor', 'admin']) {
      const res = await who[name].get(`/calls/${callId}`);
      expect(res.text).toContain('共收到 1 份投标书');
      expect(res.text).toContain('开标');
      expect(res.text).not.toContain(ORG_NAME);
    }
    for (const name of ['otherManager', 'otherAuditor', 'reviewer', 'otherOrg']) {
      const res = await who[name].get(`/calls/${callId}`);
      expect(res.text).not.toContain('份投标书');
      expect(res.text).not.toContain(ORG_NAME);
    }
    expect((await public_.get(`/calls/${callId}`)).text).not.toContain('h-bid-panel');

    await ctx.db('calls').where({ id: callId }).update({ bids_opened_at: AFTER });
    const opened = await who.manager.get(`/calls/${callId}`);
    expect(opened.text).toContain(ORG_NAME);
    expect(opened.text).toContain(PRICE);
    expect(opened.text).toContain(`/bids/${bidId}`);
    expect(opened.text).not.toContain('只存了草稿的机构');
    expect((await public_.get(`/calls/${callId}`)).text).not.toContain(ORG_NAME);
    expect((await who.otherOrg.get(`/calls/${callId}`)).text).not.toContain(ORG_NAME);
  });
});
