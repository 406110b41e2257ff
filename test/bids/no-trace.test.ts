import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { verifyAll } from '../../src/audit/verify';
import { AFTER, BEFORE, bidFields, makeCall, postBid, staffAgent } from './helpers';

/**
 * Issue 7, item 3: a sealed bid leaves no trace. While a bidder saves, submits, edits and withdraws
 * before the deadline, nothing that the administrator, an auditor (of the street or another), the
 * manager or another bidder can see changes: the audit trail's pages, counts and ids, the verify
 * page, the dashboard, the call page, their notifications, and the sequence of bid references.
 */
let ctx: TestContext;
let callId: number;
let streetId: number;
const who: Record<string, Agent> = {};
let bidder: Agent;

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set('2026-12-01T01:40:00.000Z');
  const street = await ctx.make.streetOffice();
  const otherStreet = await ctx.make.streetOffice();
  streetId = Number(street.id);
  callId = (await makeCall(ctx, { street_office_id: street.id, title: '无痕测试项目' })).id;
  bidder = (await staffAgent(ctx, { name: '无痕投标机构' })).agent;
  who.rival = (await staffAgent(ctx)).agent;
  who.admin = (await loginAs(ctx, 'admin')).agent;
  who.auditor = (await loginAs(ctx, 'auditor', { auditStreets: [street.id] })).agent;
  who.otherAuditor = (await loginAs(ctx, 'auditor', { auditStreets: [otherStreet.id] })).agent;
  who.manager = (await loginAs(ctx, 'manager', { street_office_id: street.id })).agent;
  who.otherManager = (await loginAs(ctx, 'manager', { street_office_id: otherStreet.id })).agent;
});
afterAll(() => ctx.close());

/** What each reader sees, with the per-request tokens taken out. */
async function observe(): Promise<Record<string, string>> {
  const pages: Record<string, string[]> = {
    admin: ['/audit', '/audit?action=bid', '/audit/verify', '/dashboard', `/calls/${callId}`, '/notifications'],
    auditor: ['/audit', '/audit/verify', '/dashboard', `/calls/${callId}`],
    otherAuditor: ['/audit', '/audit/verify', '/dashboard'],
    manager: ['/dashboard', `/calls/${callId}`, '/notifications', '/reviews'],
    rival: ['/my/bids', `/calls/${callId}`, '/notifications'],
  };
  const seen: Record<string, string> = {};
  for (const [name, paths] of Object.entries(pages)) {
    for (const path of paths) {
      const res = await who[name].get(path);
      seen[`${name} ${path}`] = `${res.status} ${res.text.replace(/(value|content|nonce)="[^"]*"/g, '')}`;
    }
  }
  return seen;
}

const mainChain = async () => ({
  events: Number((await ctx.db('audit_events').count({ n: '*' }).first())?.n),
  head: (await ctx.db('audit_chain_head').first()).last_hash as string,
  notifications: Number((await ctx.db('notifications').count({ n: '*' }).first())?.n),
});

describe('before the deadline', () => {
  beforeAll(() => ctx.clock.set(BEFORE));

  it('changes nothing anyone but the bidder can see while a bid is saved, submitted, edited and withdrawn', async () => {
    const before = await observe();
    const chain = await mainChain();

    const draft = await postBid(bidder, `/calls/${callId}/bids`, bidFields({ intent: 'draft' }));
    expect(draft.status).toBe(303);
    const url = draft.headers.location as string;
    expect(url).toMatch(/^\/bids\/[0-9a-f]{16}$/);
    expect((await postBid(bidder, url, bidFields())).status).toBe(303);
    expect(
      (await postBid(bidder, url, bidFields({ price: '290000', line1Amount: '190000' }), { proposal: null })).status,
    ).toBe(303);
    expect((await postForm(bidder, `${url}/withdrawal`, {})).status).toBe(303);
    expect((await postBid(bidder, `/calls/${callId}/bids`, bidFields())).status).toBe(303);

    expect(await mainChain()).toEqual(chain);
    expect(await observe()).toEqual(before);
    expect(
      Number((await ctx.db('sealed_audit_events').where({ call_id: callId }).count({ n: '*' }).first())?.n),
    ).toBeGreaterThanOrEqual(6);
    // Verification covers the sealed log, and says nothing of it to the readers.
    expect(await verifyAll(ctx.db)).toMatchObject({ ok: true, sealed: { ok: true, opened: 0 } });
  });

  it('gives bids references that tell nothing of other bids: no id in any URL or page of the bidder', async () => {
    const first = (await postBid(who.rival, `/calls/${callId}/bids`, bidFields())).headers.location as string;
    const mine = await who.rival.get('/my/bids');
    const page = await who.rival.get(first);
    for (const html of [mine.text, page.text]) {
      expect(html).not.toMatch(/\/bids\/\d{1,15}(["/?]|$)/); // a reference is 16 hex digits
      expect(html).not.toMatch(/\/files\/\d{1,15}["/]/);
    }
    const row = await ctx.db('bids').whereNot('status', 'withdrawn').orderBy('id', 'desc').first('id', 'ref');
    expect(first).toBe(`/bids/${row.ref}`);
    expect(row.ref).not.toBe(String(row.id));
  });

  it('keeps the sealed log from every reader until the opening', async () => {
    for (const name of ['admin', 'auditor', 'manager'])
      expect((await who[name].get(`/audit/sealed-logs/${callId}`)).status).toBe(404);
  });
});

describe('at the opening of bids', () => {
  beforeAll(() => ctx.clock.set(AFTER));

  it('commits the sealed log into the main chain with one event, and shows it to those who may read the bids', async () => {
    const log = await ctx.db('sealed_audit_logs').where({ call_id: callId }).first();
    expect((await postForm(who.manager, `/reviews/calls/${callId}/opening`, {})).status).toBe(303);
    const commit = await ctx
      .db('audit_events')
      .where({ action: 'audit.sealed_log_opened', subject_id: String(callId) })
      .first();
    expect(JSON.parse(commit.after_json)).toEqual({
      sealed_log: { count: Number(log.event_count), head: log.last_hash },
    });
    expect(Number(commit.street_office_id)).toBe(streetId);
    expect(Number((await ctx.db('sealed_audit_logs').where({ call_id: callId }).first()).committed_event_id)).toBe(
      Number(commit.id),
    );

    for (const name of ['admin', 'auditor']) {
      const res = await who[name].get(`/audit/sealed-logs/${callId}`);
      expect(res.status).toBe(200);
      // The sealed log reads as sentences (bid.withdraw, bid.edit_submitted).
      expect(res.text).toMatch(/ 撤回了 <a href="\/bids\/[0-9a-f]+">/);
      expect(res.text).toMatch(/ 修改并重新提交了 <a href="\/bids\/[0-9a-f]+">/);
      const event = await who[name].get(`/audit/${commit.id}`);
      expect(event.text).toContain(`/audit/sealed-logs/${callId}`);
    }
    expect((await who.otherAuditor.get(`/audit/sealed-logs/${callId}`)).status).toBe(404);
    // The street's manager reads it too (from the review page); another street's manager does not.
    const review = await who.manager.get(`/reviews/calls/${callId}`);
    expect(review.text).toContain(`/audit/sealed-logs/${callId}`);
    expect((await who.manager.get(`/audit/sealed-logs/${callId}`)).text).toContain(' 撤回了 ');
    expect((await who.otherManager.get(`/audit/sealed-logs/${callId}`)).status).toBe(404);
    expect((await who.rival.get(`/audit/sealed-logs/${callId}`)).status).toBe(403);
    expect(await verifyAll(ctx.db)).toMatchObject({ ok: true, sealed: { ok: true, opened: 1 } });
  });

  it('refuses to add to an opened log', async () => {
    await expect(
      ctx.db.transaction((trx) =>
        import('../../src/audit/audit').then(({ recordAudit, systemActor }) =>
          recordAudit(
            trx,
            systemActor,
            { action: 'bid.late', subjectType: 'bid', sealedCallId: callId },
            ctx.clock.now(),
          ),
        ),
      ),
    ).rejects.toThrow(/already opened/);
  });

  it('detects a sealed event edited, a sealed log re-counted, and a commit that no longer matches', async () => {
    const drop =
      ctx.dialect === 'sqlite'
        ? ['DROP TRIGGER sealed_audit_events_no_update']
        : ['DROP TRIGGER sealed_audit_events_no_change ON sealed_audit_events'];
    for (const sql of drop) await ctx.db.raw(sql);
    const original = (await ctx.db('sealed_audit_events').where({ call_id: callId, seq: 2 }).first()).actor_label;
    await ctx.db('sealed_audit_events').where({ call_id: callId, seq: 2 }).update({ actor_label: '篡改' });
    expect((await verifyAll(ctx.db)).sealed).toMatchObject({ ok: false, callId, seq: 2, reason: 'hash' });
    const admin = await who.admin.get('/audit/verify');
    expect(admin.text).toContain(`项目 ${callId} 的密封日志在第 2 条事件处断裂`);
    await ctx.db('sealed_audit_events').where({ call_id: callId, seq: 2 }).update({ actor_label: original });
    expect((await verifyAll(ctx.db)).ok).toBe(true);

    // Deleting the newest sealed event and rewinding the log's head: without the key the head MAC
    // gives it away; even with the key (an insider), the main chain's commit still names the old count.
    const log = await ctx.db('sealed_audit_logs').where({ call_id: callId }).first();
    const last = Number(log.event_count);
    const prev = (
      await ctx
        .db('sealed_audit_events')
        .where({ call_id: callId, seq: last - 1 })
        .first()
    ).hash;
    await ctx.db.raw(ctx.dialect === 'sqlite' ? 'DROP TRIGGER sealed_audit_events_no_delete' : 'SELECT 1');
    await ctx.db('sealed_audit_events').where({ call_id: callId, seq: last }).delete();
    await ctx
      .db('sealed_audit_logs')
      .where({ call_id: callId })
      .update({ event_count: last - 1, last_hash: prev });
    expect((await verifyAll(ctx.db)).sealed).toMatchObject({ ok: false, callId, reason: 'head' });
    const { sealedHeadMac } = await import('../../src/audit/sealed');
    await ctx
      .db('sealed_audit_logs')
      .where({ call_id: callId })
      .update({ head_mac: sealedHeadMac(callId, last - 1, prev, Number(log.committed_event_id)) });
    expect((await verifyAll(ctx.db)).sealed).toMatchObject({ ok: false, callId, reason: 'commit' });
  });
});
