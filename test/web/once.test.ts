import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { onPostgres } from '../helpers/db';
import { agentFor, proposedAward } from '../awards/factory';
import { BEFORE, bidFields, makeCall, postBid, staffAgent } from '../bids/helpers';
import { callForm, streetWithMoney } from '../calls/helpers';
import { formBody, registration } from '../organizations/helpers';
import { scenario } from '../reviews/helpers';

let ctx: TestContext;
beforeAll(async () => {
  // Ten posts at once from one address would otherwise meet the registration limit (five per hour),
  // which is tested on its own; here the point is that one key creates one row.
  ctx = await createTestContext({ registration: { perAddress: 100, windowMinutes: 60 } });
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await ctx.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);

/** One create form: where it is shown, how it is posted, and the table that gets the new row. */
interface CreateForm {
  agent: Agent;
  page: string;
  table: string;
  where?: Record<string, unknown>;
  post(token: string, once: string): Promise<request.Response>;
}

const urlencoded =
  (agent: Agent, path: string, fields: Record<string, string | string[]>) => (token: string, once: string) =>
    agent
      .post(path)
      .type('form')
      .send(formBody({ _csrf: token, _once: once, ...fields }));

const FORMS: Record<string, () => Promise<CreateForm>> = {
  async 'a fund allocation'() {
    const { agent, user } = await loginAs(ctx, 'manager');
    const fields = {
      street_office_id: String(user.street_office_id),
      year: '2026',
      source: 'fiscal',
      amount: '1000.00',
      note: '文号',
    };
    return {
      agent,
      page: '/funds/allocations/new',
      table: 'fund_entries',
      where: { street_office_id: user.street_office_id },
      post: urlencoded(agent, '/funds/allocations', fields),
    };
  },
  async 'a call (draft)'() {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await streetWithMoney(ctx, user.street_office_id!);
    return {
      agent,
      page: '/calls/new',
      table: 'calls',
      where: { street_office_id: user.street_office_id },
      post: urlencoded(agent, '/calls', callForm(item.id)),
    };
  },
  async 'a catalogue item'() {
    const { agent } = await loginAs(ctx, 'admin');
    const category = String((await ctx.db('service_categories').first('id')).id);
    const code = `ON-${crypto.randomBytes(3).toString('hex')}`;
    const fields = {
      categoryId: category,
      year: '2026',
      code,
      name: '一次性目录项',
      description: '说明',
      serviceStandard: '标准',
      unit: '次',
      guidancePrice: '100',
      methods: ['venture'],
    };
    return {
      agent,
      page: '/catalog/new',
      table: 'catalog_items',
      where: { code },
      post: urlencoded(agent, '/catalog', fields),
    };
  },
  async 'a bid'() {
    ctx.clock.set(BEFORE);
    const call = await makeCall(ctx);
    const { agent, org } = await staffAgent(ctx);
    return {
      agent,
      page: `/calls/${call.id}/bids/new`,
      table: 'bids',
      where: { organization_id: org.id },
      post: (token, once) => postBid(agent, `/calls/${call.id}/bids`, { ...bidFields(), _once: once }, { token }),
    };
  },
  async 'an objection'() {
    const { call, awardId } = await proposedAward(ctx, {
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 400_000, scores: [[60, 60]] },
      ],
    });
    const agent = await agentFor(ctx, call.bids[1].staff);
    return {
      agent,
      page: `/awards/${awardId}/objections/new`,
      table: 'objections',
      where: { award_id: awardId },
      post: (token, once) =>
        agent
          .post(`/awards/${awardId}/objections`)
          .field('_csrf', token)
          .field('_once', once)
          .field('reasons', '评分有误'),
    };
  },
  async 'a reviewer on a panel'() {
    const s = await scenario(ctx);
    const token = await csrfFrom(s.manager.agent, '/dashboard');
    await s.manager.agent.post(`/reviews/calls/${s.f.callId}/opening`).type('form').send({ _csrf: token });
    const reviewer = await ctx.make.user('reviewer');
    return {
      agent: s.manager.agent,
      page: `/reviews/calls/${s.f.callId}`,
      table: 'call_reviewers',
      where: { call_id: s.f.callId },
      post: urlencoded(s.manager.agent, `/reviews/calls/${s.f.callId}/reviewers`, { reviewerId: String(reviewer.id) }),
    };
  },
  async 'a user'() {
    const { agent } = await loginAs(ctx, 'admin');
    const street = await ctx.make.streetOffice();
    const username = `once.${crypto.randomBytes(3).toString('hex')}`;
    const fields = {
      username,
      password: 'a long enough password',
      displayName: '新用户',
      role: 'manager',
      streetOfficeId: String(street.id),
    };
    return {
      agent,
      page: '/admin/users/new',
      table: 'users',
      where: { username },
      post: urlencoded(agent, '/admin/users', fields),
    };
  },
  async 'an organization (registration, not signed in)'() {
    const agent = request.agent(ctx.app);
    const fields = await registration(ctx);
    return {
      agent,
      page: '/organizations/new',
      table: 'organizations',
      where: { credit_code: fields.creditCode },
      post: urlencoded(agent, '/organizations', fields),
    };
  },
};

describe.each(Object.keys(FORMS))('creating %s', (name) => {
  it('carries a one-time key; sent again, it answers with the first result and creates nothing more', async () => {
    const form = await FORMS[name]();
    const page = await form.agent.get(form.page);
    expect(page.status).toBe(200);
    const key = /name="_once" value="([^"]+)"/.exec(page.text)?.[1];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const before = await count(form.table, form.where);
    const first = await form.post(token, key!);
    expect([first.status, first.text.slice(0, 300)]).toEqual([303, expect.anything()]);
    const again = await form.post(token, key!);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await count(form.table, form.where)).toBe(before + 1);
  });

  it(`10 parallel identical posts create one row${onPostgres ? ' (PostgreSQL, real parallel transactions)' : ''}`, async () => {
    const form = await FORMS[name]();
    const token = await csrfFrom(form.agent, form.page);
    const key = crypto.randomUUID();
    const before = await count(form.table, form.where);
    const answers = await Promise.all(Array.from({ length: 10 }, () => form.post(token, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(303));
    expect(new Set(answers.map((a) => a.headers.location)).size).toBe(1);
    expect(await count(form.table, form.where)).toBe(before + 1);
    expect(await count('form_submissions', { once_key: key })).toBe(1);
  });
});

describe('one-time keys', () => {
  it('a key used by one user gives another user nothing of the first result', async () => {
    const a = await FORMS['a catalogue item']();
    const b = await FORMS['a catalogue item']();
    const key = crypto.randomUUID();
    const first = await a.post(await csrfFrom(a.agent, a.page), key);
    expect(first.status).toBe(303);
    const other = await b.post(await csrfFrom(b.agent, b.page), key);
    expect(other.status).toBe(409);
    expect(other.headers.location).toBeUndefined();
    expect(await count('catalog_items', b.where)).toBe(0);
  });

  it('a form re-shown after a refusal keeps its key, and the corrected form then creates once', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const token = await csrfFrom(agent, '/admin/users/new');
    const key = crypto.randomUUID();
    const refused = await agent
      .post('/admin/users')
      .type('form')
      .send({ _csrf: token, _once: key, username: 'x', password: 'short', displayName: 'x', role: 'manager' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`name="_once" value="${key}"`);
    expect(await count('form_submissions', { once_key: key })).toBe(0);
  });
});

describe('one open objection per organization per award', () => {
  it('refuses a second open objection with a clear message, and allows one after the first is answered', async () => {
    const { call, awardId } = await proposedAward(ctx, {
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 400_000, scores: [[60, 60]] },
      ],
    });
    const loser = await agentFor(ctx, call.bids[1].staff);
    const lodge = async () =>
      loser
        .post(`/awards/${awardId}/objections`)
        .field('_csrf', await csrfFrom(loser, '/dashboard'))
        .field('_once', crypto.randomUUID())
        .field('reasons', '评分有误');
    expect((await lodge()).status).toBe(303);
    const second = await lodge();
    expect(second.status).toBe(422);
    expect(second.text).toContain('待答复的质疑');
    expect(await count('objections', { award_id: awardId })).toBe(1);

    const objection = await ctx.db('objections').where({ award_id: awardId }).first();
    await ctx
      .db('objections')
      .where({ id: objection.id })
      .update({ status: 'rejected', answer: '已答复', answered_at: ctx.clock.now().toISOString() });
    expect((await lodge()).status).toBe(303);
    expect(await count('objections', { award_id: awardId })).toBe(2);
  });

  it('is enforced by the database as well', async () => {
    const { call, awardId } = await proposedAward(ctx, {
      bids: [
        { priceFen: 500_000, scores: [[90, 90]] },
        { priceFen: 400_000, scores: [[60, 60]] },
      ],
    });
    const row = {
      award_id: awardId,
      call_id: call.callId,
      organization_id: call.bids[1].organizationId,
      reasons: 'x',
      status: 'open',
      lodged_at: ctx.clock.now().toISOString(),
    };
    await ctx.db('objections').insert(row);
    await expect(ctx.db('objections').insert(row)).rejects.toThrow(/unique|UNIQUE/);
    await ctx.db('objections').insert({ ...row, status: 'rejected' });
  });
});
