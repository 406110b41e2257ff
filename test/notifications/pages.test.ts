import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { notify, type NotificationInput } from '../../src/modules/notifications/service';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const awardFinal = (call: string, link = '/dashboard'): NotificationInput => ({
  kind: 'award.final',
  messageKey: 'notifications.messages.awardFinal',
  params: { call },
  link,
});
const send = (userId: number, n: NotificationInput) => notify(ctx.db, [userId], n, ctx.clock.now());
const idsOf = async (userId: number): Promise<number[]> =>
  (await ctx.db('notifications').where({ user_id: userId }).orderBy('id').select('id')).map((r) => Number(r.id));
const readAtOf = async (id: number) => (await ctx.db('notifications').where({ id }).first('read_at')).read_at;
/** The header's notifications link, whole (its aria-label carries the unread count). */
const header = (html: string) => /<a href="\/notifications"[^>]*>.*?<\/a>/.exec(html)?.[0] ?? '';

describe('the notifications page (200/303)', () => {
  it('shows a user only their own notifications, newest first, translated, unread ones marked', async () => {
    const me = await loginAs(ctx, 'org_staff');
    const other = await ctx.make.user('org_staff');
    await send(me.user.id, awardFinal('社区助餐点'));
    await send(me.user.id, awardFinal('居家养老上门服务'));
    await send(other.id, awardFinal('别人的项目'));
    const res = await me.agent.get('/notifications');
    expect(res.status).toBe(200);
    expect(res.text).toContain('项目“居家养老上门服务”的中标结果已确定。');
    expect(res.text).not.toContain('别人的项目');
    expect(res.text.indexOf('居家养老上门服务')).toBeLessThan(res.text.indexOf('社区助餐点'));
    expect(res.text).toContain('未读');
    const [firstId] = await idsOf(me.user.id);
    expect(res.text).toContain(`action="/notifications/${firstId}/read"`);
  });

  it('lists by the time sent, newest first, also when an earlier-dated one was written later (as the demo data does)', async () => {
    const me = await loginAs(ctx, 'org_staff');
    await notify(ctx.db, [me.user.id], awardFinal('十二月的项目'), new Date('2026-12-01T02:00:00.000Z'));
    await notify(ctx.db, [me.user.id], awardFinal('十一月的项目'), new Date('2026-11-01T02:00:00.000Z'));
    await notify(ctx.db, [me.user.id], awardFinal('十月的项目'), new Date('2026-10-01T02:00:00.000Z'));
    const text = (await me.agent.get('/notifications')).text;
    const at = ['十二月的项目', '十一月的项目', '十月的项目'].map((t) => text.indexOf(t));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('tags every notification: with its kind’s label, or else with its area’s (a contract’s is 合同)', async () => {
    const me = await loginAs(ctx, 'org_staff');
    await send(me.user.id, awardFinal('有标签的项目'));
    await send(me.user.id, {
      kind: 'contract.sent',
      messageKey: 'notifications.messages.awardFinal',
      params: { call: '合同的项目' },
      link: '/dashboard',
    });
    const text = (await me.agent.get('/notifications')).text;
    expect(text).toContain('<span class="badge">中标结果</span>');
    expect(text).toContain('<span class="badge">合同</span>');
  });

  it('shows each message in the reader’s language, whatever language it was sent in', async () => {
    const me = await loginAs(ctx, 'manager');
    await send(me.user.id, {
      kind: 'bid.result',
      messageKey: 'notifications.messages.bidResult',
      params: { call: 'Elderly care', score: '87.5', rank: 2 },
      link: '/dashboard',
    });
    expect((await me.agent.get('/notifications')).text).toContain('您的投标得分 87.5，排名第 2');
    await postForm(me.agent, '/language', { lang: 'en', returnTo: '/notifications' });
    const res = await me.agent.get('/notifications');
    expect(res.text).toContain('your bid scored 87.5 and ranked 2');
    expect(header(res.text)).toContain('aria-label="Notifications (1 unread)">Notifications (1)</a>');
  });

  it('counts unread notifications in the header, and the count goes down after reading one', async () => {
    const me = await loginAs(ctx, 'org_staff');
    await send(me.user.id, awardFinal('甲项目', '/my/organization'));
    await send(me.user.id, awardFinal('乙项目'));
    expect(header((await me.agent.get('/dashboard')).text)).toContain('aria-label="通知（2 条未读）">通知 (2)</a>');
    const [first] = await idsOf(me.user.id);
    const res = await postForm(me.agent, `/notifications/${first}/read`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/my/organization');
    expect(await readAtOf(first)).toBe(ctx.clock.now().toISOString());
    expect(header((await me.agent.get('/dashboard')).text)).toContain('（1 条未读）');
  });

  it('keeps the first read time when a notification is opened again', async () => {
    const me = await loginAs(ctx, 'reviewer');
    await send(me.user.id, awardFinal('丙项目'));
    const [id] = await idsOf(me.user.id);
    await postForm(me.agent, `/notifications/${id}/read`, {});
    const firstRead = await readAtOf(id);
    ctx.clock.advance(60_000);
    expect((await postForm(me.agent, `/notifications/${id}/read`, {})).status).toBe(303);
    expect(await readAtOf(id)).toBe(firstRead);
  });

  it('marks all read, but not one that arrived after the page was shown', async () => {
    const me = await loginAs(ctx, 'approver');
    await send(me.user.id, awardFinal('一'));
    await send(me.user.id, awardFinal('二'));
    const page = await me.agent.get('/notifications');
    const upTo = /name="upTo" value="(\d+)"/.exec(page.text)![1];
    await send(me.user.id, awardFinal('三'));
    const res = await postForm(me.agent, '/notifications/read-all', { upTo }, '/notifications');
    expect(res.status).toBe(303);
    const rows = await ctx.db('notifications').where({ user_id: me.user.id }).orderBy('id');
    expect(rows.map((r) => r.read_at !== null)).toEqual([true, true, false]);
    const after = await me.agent.get('/notifications');
    expect(after.text).toContain('已将 2 条通知标为已读。');
    expect(header(after.text)).toContain('（1 条未读）');
  });

  it('shows 99+ in the header beyond 99 unread, and pages the list', async () => {
    const me = await loginAs(ctx, 'auditor');
    await ctx.db.batchInsert(
      'notifications',
      Array.from({ length: 105 }, (_v, i) => ({
        user_id: me.user.id,
        kind: 'award.final',
        message_key: 'notifications.messages.awardFinal',
        params_json: JSON.stringify({ call: `项目${i}` }),
        link: '/dashboard',
        created_at: ctx.clock.now().toISOString(),
        read_at: null,
      })),
      50,
    );
    const res = await me.agent.get('/notifications');
    expect(header(res.text)).toContain('(99+)');
    expect(header(res.text)).toContain('超过 99 条未读');
    expect(res.text).toContain('项目104');
    expect(res.text).not.toContain('项目84”');
    const page2 = await me.agent.get('/notifications?page=2');
    expect(page2.text).toContain('项目84”');
  });

  it('shows a link without a count when nothing is unread', async () => {
    const me = await loginAs(ctx, 'admin');
    const res = await me.agent.get('/dashboard');
    expect(header(res.text)).toBe('<a href="/notifications">通知</a>');
    expect((await me.agent.get('/notifications')).text).toContain('暂无通知。');
  });
});

describe('refusals (401/403/404/422), nothing changed', () => {
  let owner: { agent: Agent; user: { id: number } };
  let theirs: number;
  beforeAll(async () => {
    owner = await loginAs(ctx, 'org_staff');
    await send(owner.user.id, awardFinal('他人的通知'));
    [theirs] = await idsOf(owner.user.id);
  });

  it('answers 404 when another user opens someone else’s notification, and leaves it unread', async () => {
    const intruder = await loginAs(ctx, 'org_staff');
    expect((await postForm(intruder.agent, `/notifications/${theirs}/read`, {})).status).toBe(404);
    expect((await postForm(intruder.agent, '/notifications/999999/read', {})).status).toBe(404);
    expect((await postForm(intruder.agent, '/notifications/abc/read', {})).status).toBe(404);
    expect(await readAtOf(theirs)).toBeNull();
    expect((await intruder.agent.get('/notifications')).text).not.toContain('他人的通知');
  });

  it('marks only the caller’s own as read on read-all, whatever id they send', async () => {
    const intruder = await loginAs(ctx, 'manager');
    expect((await postForm(intruder.agent, '/notifications/read-all', { upTo: String(theirs) })).status).toBe(303);
    expect(await readAtOf(theirs)).toBeNull();
  });

  it('answers 422 to a forged upTo (text or a list), and marks nothing', async () => {
    await send(owner.user.id, awardFinal('另一条'));
    expect((await postForm(owner.agent, '/notifications/read-all', { upTo: 'all' })).status).toBe(422);
    expect((await postForm(owner.agent, '/notifications/read-all', { upTo: ['1', '2'] })).status).toBe(422);
    expect(
      Number(
        (
          await ctx
            .db('notifications')
            .where({ user_id: owner.user.id })
            .whereNotNull('read_at')
            .count({ n: '*' })
            .first()
        )?.n,
      ),
    ).toBe(0);
  });

  it('answers 403 to a POST without the CSRF token, and marks nothing', async () => {
    expect((await owner.agent.post(`/notifications/${theirs}/read`).type('form').send({})).status).toBe(403);
    expect((await owner.agent.post('/notifications/read-all').type('form').send({ _csrf: 'forged' })).status).toBe(403);
    expect(await readAtOf(theirs)).toBeNull();
  });

  it('sends an anonymous visitor to sign in, and refuses their POSTs', async () => {
    const anon = request.agent(ctx.app);
    const res = await anon.get('/notifications');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fnotifications');
    const token = await csrfFrom(anon, '/login');
    expect((await anon.post(`/notifications/${theirs}/read`).type('form').send({ _csrf: token })).status).toBe(401);
    expect((await anon.post('/notifications/read-all').type('form').send({ _csrf: token })).status).toBe(401);
    expect(await readAtOf(theirs)).toBeNull();
  });
});

describe('the header count stays cheap', () => {
  async function countQueries(fn: () => Promise<unknown>): Promise<number> {
    let n = 0;
    const spy = (q: { sql: string }) => {
      if (/from .notifications./i.test(q.sql)) n += 1;
    };
    ctx.db.on('query', spy);
    try {
      await fn();
    } finally {
      ctx.db.removeListener('query', spy);
    }
    return n;
  }

  it('asks nothing for anonymous visitors or /healthz', async () => {
    expect(await countQueries(() => request(ctx.app).get('/login'))).toBe(0);
    expect(await countQueries(() => request(ctx.app).get('/healthz'))).toBe(0);
  });

  it('asks once per rendered page for a signed-in user, and not for a redirect', async () => {
    const me = await loginAs(ctx, 'org_staff');
    expect(await countQueries(() => me.agent.get('/dashboard'))).toBe(1);
    const token = await csrfFrom(me.agent, '/dashboard');
    expect(
      await countQueries(() =>
        me.agent.post('/language').type('form').send({ _csrf: token, lang: 'en', returnTo: '/dashboard' }),
      ),
    ).toBe(0);
  });
});
