import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, signIn } from '../helpers/http';
import { reviewerAgent, scenario, refOf } from '../reviews/helpers';
import { reviewCall, underReview, submittedBid } from '../reviews/factory';
import { agentFor, proposedAward } from '../awards/factory';
import { recordAudit, systemActor } from '../../src/audit/audit';
import { catalogItem, finalAward, publishedCall, staffUser } from '../helpers/chain';
import { createContract } from '../../src/modules/contracts/service/drafting';
import { acceptContract, sendContract, signContract } from '../../src/modules/contracts/service/signing';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

/** The queue's items as "kind label" in page order, from the rendered list. */
function queueOf(html: string): { text: string; href: string }[] {
  const list = /<ol class="queue-list">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
  return [
    ...list.matchAll(/<a href="([^"]+)"><strong>([^<]+)<\/strong><span class="queue-sep">：<\/span>([^<]+)<\/a>/g),
  ].map((m) => ({ href: m[1], text: `${m[2]} ${m[3]}` }));
}

describe('the dashboards are work queues', () => {
  it('a new manager sees an empty queue that says there is nothing to do', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const res = await agent.get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.text).toContain('目前没有等待您处理的事项。');
  });

  it("the manager's queue: bids to open, panels to assign, scoring to close, oldest first, each linked", async () => {
    const s = await scenario(ctx, { closesAt: '2026-11-20T00:00:00.000Z' });
    const second = await reviewCall(ctx, {
      streetOfficeId: s.f.streetOfficeId,
      closesAt: '2026-11-24T00:00:00.000Z',
      title: '第二个项目',
    });
    const third = await reviewCall(ctx, {
      streetOfficeId: s.f.streetOfficeId,
      closesAt: '2026-11-10T00:00:00.000Z',
      title: '第三个项目',
    });
    await submittedBid(ctx, third.callId);
    const r = await reviewerAgent(ctx);
    await underReview(ctx, third.callId, [r.user.id]);
    const res = await s.manager.agent.get('/dashboard');
    const queue = queueOf(res.text);
    // Waiting since the deadline (11-20, 11-24), and since the opening (now) for the scoring.
    expect(queue.map((i) => i.href)).toEqual([
      `/reviews/calls/${s.f.callId}`,
      `/reviews/calls/${second.callId}`,
      `/reviews/calls/${third.callId}#h-close`,
    ]);
    expect(queue[0].text).toContain('开标');
    await underReview(ctx, second.callId, []);
    expect(queueOf((await s.manager.agent.get('/dashboard')).text).map((i) => i.href)).toContain(
      `/reviews/calls/${second.callId}#h-panel`,
    );
  });

  it('shows the oldest twenty, and says that more wait', async () => {
    const street = await ctx.make.streetOffice();
    const { agent } = await loginAs(ctx, 'manager', { street_office_id: street.id });
    const draft = (i: number) => ({
      street_office_id: street.id,
      status: 'draft',
      published_at: null,
      title: `草稿${String(i).padStart(2, '0')}`,
      created_at: `2026-11-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`,
    });
    const item = await catalogItem(ctx);
    for (let i = 0; i < 20; i++) await publishedCall(ctx, { ...draft(i), catalog_item_id: item.id });
    let queue = queueOf((await agent.get('/dashboard')).text);
    expect(queue).toHaveLength(20);
    expect((await agent.get('/dashboard')).text).not.toContain('只列出最早的');
    for (let i = 20; i < 23; i++) await publishedCall(ctx, { ...draft(i), catalog_item_id: item.id });
    const res = await agent.get('/dashboard');
    queue = queueOf(res.text);
    // The oldest twenty, oldest first; the three newest wait for a place.
    expect(queue.map((q) => q.text.split(' ')[1])).toEqual(Array.from({ length: 20 }, (_, i) => draft(i).title));
    expect(res.text).toContain('只列出最早的 20 项；处理完后，其余的会出现在这里。');
  });

  it("the manager's queue: each final award item to draft, send or sign its contract, until it is signed", async () => {
    const award = await finalAward(ctx);
    const { agent } = await loginAs(ctx, 'manager', { street_office_id: award.call.streetOfficeId });
    const contractKinds = async () =>
      queueOf((await agent.get('/dashboard')).text)
        .filter((i) => /合同/.test(i.text))
        .map((i) => `${i.text.split(' ')[0]} ${i.href}`);
    // One item awarded: its contract is to be drafted from the award.
    expect(await contractKinds()).toEqual([`起草合同 /awards/${award.awardId}`]);
    const contractId = await createContract(ctx, systemActor, award.manager, award.awardId, award.items[0].id);
    expect(await contractKinds()).toEqual([`发送合同 /contracts/${contractId}`]);
    await sendContract(ctx, systemActor, award.manager, contractId);
    expect(await contractKinds()).toEqual([]); // with the organization now, in its queue
    const staff = await signIn(ctx, staffUser(award.call).username);
    const staffQueue = async () => queueOf((await staff.get('/dashboard')).text).map((i) => i.href);
    expect(await staffQueue()).toContain(`/contracts/${contractId}`);
    expect(
      queueOf((await staff.get('/dashboard')).text).find((i) => i.href === `/contracts/${contractId}`)?.text,
    ).toMatch(/^确认合同 /);
    await acceptContract(ctx, systemActor, staffUser(award.call), contractId);
    expect(await staffQueue()).not.toContain(`/contracts/${contractId}`);
    expect(await contractKinds()).toEqual([`签订合同 /contracts/${contractId}`]);
    await signContract(ctx, systemActor, award.manager, contractId);
    expect(await contractKinds()).toEqual([]);
    // The item knows when its contract was drafted; the database agrees with the contract.
    const item = await ctx.db('award_items').where({ id: award.items[0].id }).first('contract_drafted_at');
    const contract = await ctx.db('contracts').where({ id: contractId }).first('created_at');
    expect(item.contract_drafted_at).toBe(contract.created_at);
  });

  it("the manager's queue: an award to propose, an objection to answer, an award to confirm", async () => {
    const bids = {
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 400_000, scores: [[60, 60]] },
      ],
    };
    const { call, awardId } = await proposedAward(ctx, bids);
    const manager = await agentFor(ctx, call.manager);
    expect(queueOf((await manager.get('/dashboard')).text)).toEqual([]);
    const at = ctx.clock.now().toISOString();
    const [o] = await ctx
      .db('objections')
      .insert({
        award_id: awardId,
        call_id: call.callId,
        organization_id: call.bids[1].organizationId,
        reasons: '理由',
        status: 'open',
        lodged_at: at,
      })
      .returning('id');
    const objectionId = Number(typeof o === 'object' ? o.id : o);
    expect(queueOf((await manager.get('/dashboard')).text).map((i) => i.href)).toEqual([
      `/awards/${awardId}/objections/${objectionId}`,
    ]);
    await ctx
      .db('objections')
      .where({ id: objectionId })
      .update({ status: 'rejected', answer: '不成立', answered_at: at });
    await ctx
      .db('awards')
      .where({ id: awardId })
      .update({ publicity_ends_at: new Date(ctx.clock.now().getTime() - 1000).toISOString() });
    expect(queueOf((await manager.get('/dashboard')).text).map((i) => i.href)).toEqual([
      `/awards/${awardId}#h-confirm`,
    ]);
    await ctx
      .db('awards')
      .where({ id: awardId })
      .update({ status: 'withdrawn', withdrawn_at: at, withdrawn_reason: 'test' });
    await ctx.db('calls').where({ id: call.callId }).update({ status: 'under_review' });
    expect(queueOf((await manager.get('/dashboard')).text).map((i) => i.href)).toEqual([
      `/calls/${call.callId}/award/new`,
    ]);
  });

  it("the reviewer's queue lists calls with declarations or sheets left; empty when done", async () => {
    const s = await scenario(ctx);
    const r = await reviewerAgent(ctx);
    expect((await r.agent.get('/dashboard')).text).toContain('目前没有等待您处理的事项。');
    await underReview(ctx, s.f.callId, [r.user.id]);
    const queue = queueOf((await r.agent.get('/dashboard')).text);
    expect(queue).toEqual([{ href: `/reviews/calls/${s.f.callId}`, text: expect.stringContaining('申报利益冲突') }]);
    void refOf;
  });

  it("the organization's queue: a draft bid and a deadline this week; an approved organization is not asked for documents", async () => {
    const street = await ctx.make.streetOffice();
    const open = await reviewCall(ctx, {
      streetOfficeId: street.id,
      closesAt: '2026-11-28T09:00:00.000Z',
      title: '本周截止的项目',
    });
    const drafted = await reviewCall(ctx, {
      streetOfficeId: street.id,
      closesAt: '2026-12-20T09:00:00.000Z',
      title: '起草中的项目',
    });
    const org = await ctx.make.organization();
    await ctx.db('organizations').where({ id: org.id }).update({ status: 'approved' });
    const staff = await ctx.make.user('org_staff', { organization_id: org.id });
    await submittedBid(ctx, drafted.callId, { organizationId: org.id, status: 'draft' });
    const agent = await signIn(ctx, staff.username);
    const res = await agent.get('/dashboard');
    const queue = queueOf(res.text);
    expect(queue.map((i) => i.text)).toEqual([
      expect.stringContaining('本周截止的项目'),
      expect.stringContaining('起草中的项目'),
    ]);
    expect(queue[0].href).toBe(`/calls/${open.callId}`);
    expect(queue[1].href).toMatch(/^\/bids\/[0-9a-f]{16}\/edit$/);
    // One time per item: the draft's deadline, not also since when it has waited.
    const draftItem = /<li>\s*<a href="\/bids\/[\s\S]*?<\/li>/.exec(res.text)?.[0] ?? '';
    expect(draftItem).toContain('截止');
    expect(draftItem).not.toContain('queue-since');
    expect(res.text).not.toContain('尚未上传资质文件');
  });

  it("the administrator's queue: organizations waiting for review, with a warning when nothing was uploaded", async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const org = await ctx.make.organization();
    await ctx
      .db('organizations')
      .where({ id: org.id })
      .update({ status: 'pending', updated_at: '2020-01-01T00:00:00.000Z' });
    const res = await agent.get('/dashboard');
    const queue = queueOf(res.text);
    expect(queue[0]).toEqual({ href: `/organizations/${org.id}`, text: expect.stringContaining('审核机构注册') });
    expect(res.text).toContain('尚未上传任何资质文件');
  });

  it("the auditor's page: what changed in their streets since their last visit (or the last 7 days), oldest first, each linked to its record", async () => {
    const mine = await ctx.make.streetOffice();
    const other = await ctx.make.streetOffice();
    const call = await reviewCall(ctx, { streetOfficeId: mine.id, title: '审计员看到的项目' });
    const hidden = await reviewCall(ctx, { streetOfficeId: other.id, title: '别的街道的项目' });
    const auditor = await ctx.make.user('auditor', { auditStreets: [mine.id] });
    const first = await signIn(ctx, auditor.username);
    expect((await first.get('/dashboard')).text).toContain('最近 7 天内，您的街道没有变更。');

    const record = (action: string, subjectId: number, street: number) =>
      ctx.db.transaction((trx) =>
        recordAudit(
          trx,
          systemActor,
          { action, subjectType: 'call', subjectId, streetOfficeId: street },
          ctx.clock.now(),
        ),
      );
    ctx.clock.set('2026-11-25T02:10:00.000Z');
    await record('call.publish', call.callId, mine.id);
    await record('call.publish', hidden.callId, other.id);
    await record('report.download', call.callId, mine.id); // a read, not a change
    ctx.clock.set('2026-11-25T02:20:00.000Z');
    await record('call.cancel', call.callId, mine.id);

    // Signed in again later: the changes since the first visit, oldest first, linked to the call.
    ctx.clock.set('2026-11-25T03:00:00.000Z');
    const again = await signIn(ctx, auditor.username);
    const page = await again.get('/dashboard');
    expect(page.text).toContain('自您上次登录（2026-11-25 10:00）以来的变更');
    const queue = queueOf(page.text);
    expect(queue.map((i) => i.href)).toEqual([`/calls/${call.callId}`, `/calls/${call.callId}`]);
    expect(queue[0].text).toMatch(/^项目公告 .*发布.*审计员看到的项目/);
    expect(queue[1].text).toMatch(/取消|撤销/);
    expect(page.text).not.toContain('别的街道的项目');

    // An auditor of the whole district reads the changes of every street (the trail's own scope).
    const district = await ctx.make.user('auditor', { auditStreets: [mine.id] });
    await ctx.db('auditor_district_scopes').insert({ user_id: district.id, granted_at: ctx.clock.now().toISOString() });
    const whole = await (await signIn(ctx, district.username)).get('/dashboard');
    expect(whole.text).toContain('审计员看到的项目');
    expect(whole.text).toContain('别的街道的项目');

    // The next visit finds nothing new, and says since when.
    ctx.clock.set('2026-11-25T04:00:00.000Z');
    const third = await signIn(ctx, auditor.username);
    const quiet = (await third.get('/dashboard')).text;
    expect(quiet).toContain('自您上次登录（2026-11-25 11:00）以来，您的街道没有新的变更。');
    // And the way to the last week's changes on the audit trail (from a week before, Beijing date).
    expect(quiet).toContain('<a href="/audit?from=2026-11-18">查看最近 7 天的全部变更</a>');

    // More than a dashboard's worth: the oldest 20, and the way to the rest on the audit trail.
    for (let i = 0; i < 21; i++) await record('call.draft_update', call.callId, mine.id);
    ctx.clock.set('2026-11-25T05:00:00.000Z');
    const fourth = await (await signIn(ctx, auditor.username)).get('/dashboard');
    expect(queueOf(fourth.text)).toHaveLength(20);
    expect(fourth.text).toContain('只列出最早的 20 项。 <a href="/audit?from=2026-11-25">');
  });
});
