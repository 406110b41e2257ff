import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { agentFor, PDF, proposedAward, readyCall } from './factory';

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

async function lodge(agent: Agent, awardId: number, reasons: string, files: { name: string; content: Buffer }[] = []) {
  const token = await csrfFrom(agent, '/dashboard');
  let req = agent.post(`/awards/${awardId}/objections`).field('_csrf', token).field('reasons', reasons);
  for (const f of files) req = req.attach('files', f.content, f.name);
  return req;
}

async function answer(agent: Agent, awardId: number, objectionId: number, fields: Record<string, string | string[]>) {
  const token = await csrfFrom(agent, '/dashboard');
  return agent
    .post(`/awards/${awardId}/objections/${objectionId}/answer`)
    .type('form')
    .send({ _csrf: token, ...fields });
}

const award = (id: number) => ctx.db('awards').where({ id }).first();

describe('lodging an objection (200/303)', () => {
  it('lets a losing bidder object with reasons and a file during publicity; the managers are told', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const loser = await agentFor(ctx, call.bids[1].staff);
    const page = await loser.get(`/awards/${awardId}`);
    expect(page.text).toContain(`/awards/${awardId}/objections/new`);
    expect((await loser.get(`/awards/${awardId}/objections/new`)).status).toBe(200);
    const res = await lodge(loser, awardId, '评分标准适用有误', [{ name: '证明.pdf', content: PDF }]);
    expect(res.status).toBe(303);
    const objection = await ctx.db('objections').where({ award_id: awardId }).first();
    expect(res.headers.location).toBe(`/awards/${awardId}/objections/${objection.id}`);
    expect(objection).toMatchObject({
      status: 'open',
      reasons: '评分标准适用有误',
      organization_id: call.bids[1].organizationId,
    });
    const files = await ctx.db('objection_files').where({ objection_id: objection.id });
    expect(files).toHaveLength(1);
    const told = await ctx
      .db('notifications')
      .where({ kind: 'objection.lodged', subject_id: String(objection.id) })
      .select('user_id');
    expect(told.map((t) => Number(t.user_id))).toEqual([call.manager.id]);

    const shown = await loser.get(res.headers.location);
    expect(shown.status).toBe(200);
    const fileLink = new RegExp(`/awards/${awardId}/objections/${objection.id}/files/(\\d+)`).exec(shown.text)!;
    const download = await loser.get(fileLink[0]);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    // The public sees that one is open, not what it says.
    const pub = await request(ctx.app).get(`/awards/${awardId}`);
    expect(pub.text).not.toContain('评分标准适用有误');
    expect(pub.text).toContain('1 份质疑待答复');
  });

  it('accepts an objection one millisecond before the end of publicity', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const a = await award(awardId);
    ctx.clock.set(new Date(new Date(a.publicity_ends_at).getTime() - 1));
    try {
      // Signed in after the clock moved: a session does not last a whole week.
      const loser = await agentFor(ctx, call.bids[1].staff);
      expect((await lodge(loser, awardId, '最后一刻的质疑')).status).toBe(303);
    } finally {
      ctx.clock.set('2026-11-25T02:00:00.000Z');
    }
  });
});

describe('who may not object (403/409, with the reason)', () => {
  it('refuses an objection when the period has ended, even by a second', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const a = await award(awardId);
    ctx.clock.set(new Date(new Date(a.publicity_ends_at).getTime() + 1000));
    try {
      const loser = await agentFor(ctx, call.bids[1].staff);
      const form = await loser.get(`/awards/${awardId}/objections/new`);
      expect(form.status).toBe(409);
      expect(form.text).toContain('公示期已于');
      const res = await lodge(loser, awardId, '迟到的质疑');
      expect(res.status).toBe(409);
      ctx.clock.set(a.publicity_ends_at);
      expect((await lodge(loser, awardId, '刚好截止')).status).toBe(409);
    } finally {
      ctx.clock.set('2026-11-25T02:00:00.000Z');
    }
    expect(await ctx.db('objections').where({ award_id: awardId })).toEqual([]);
  });

  it('refuses staff of an organization that did not bid, a reviewer and a manager, saying why', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const stranger = await loginAs(ctx, 'org_staff');
    const res = await lodge(stranger.agent, awardId, '我也要质疑');
    expect(res.status).toBe(403);
    expect(res.text).toContain('只有已向本项目提交投标的单位可以提出质疑');
    expect((await stranger.agent.get(`/awards/${awardId}/objections/new`)).status).toBe(403);
    const reviewer = await agentFor(ctx, call.reviewers[0]);
    expect((await lodge(reviewer, awardId, '评审质疑')).status).toBe(403);
    const manager = await agentFor(ctx, call.manager);
    expect((await manager.get(`/awards/${awardId}/objections/new`)).status).toBe(403);
    expect((await request(ctx.app).get(`/awards/${awardId}/objections/new`)).status).toBe(303);
    expect(await ctx.db('objections').where({ award_id: awardId })).toEqual([]);
  });

  it('refuses an organization whose bid was only a draft or withdrawn', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const staff = await ctx.make.user('org_staff');
    const at = ctx.clock.now().toISOString();
    await ctx.db('bids').insert({
      call_id: call.callId,
      organization_id: staff.organization_id,
      status: 'draft',
      price_fen: 1000,
      created_at: at,
      updated_at: at,
    });
    expect((await lodge(await agentFor(ctx, staff), awardId, '草稿投标')).status).toBe(403);
  });

  it('answers 404 for an award that does not exist', async () => {
    const { call } = await proposedAward(ctx, twoBids);
    const loser = await agentFor(ctx, call.bids[1].staff);
    expect((await lodge(loser, 999999, '不存在')).status).toBe(404);
    expect((await request(ctx.app).get('/awards/999999')).status).toBe(404);
  });
});

describe('bad objections (422/413): the form again, nothing written', () => {
  it('refuses empty reasons, a list for reasons and a file that is not what its name says', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const loser = await agentFor(ctx, call.bids[1].staff);
    const empty = await lodge(loser, awardId, '   ');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('error-summary');
    const token = await csrfFrom(loser, '/dashboard');
    const list = await loser
      .post(`/awards/${awardId}/objections`)
      .field('_csrf', token)
      .field('reasons', 'a')
      .field('reasons', 'b');
    expect(list.status).toBe(422);
    const fake = await lodge(loser, awardId, '附件有问题', [{ name: 'x.pdf', content: Buffer.from('not a pdf') }]);
    expect(fake.status).toBe(422);
    expect(fake.text).toContain('附件有问题');
    const exe = await lodge(loser, awardId, '附件类型', [{ name: 'x.exe', content: Buffer.from('MZ') }]);
    expect(exe.status).toBe(422);
    expect(await ctx.db('objections').where({ award_id: awardId })).toEqual([]);
  });

  it('refuses a file above the size limit with 413', async () => {
    const { call, awardId } = await proposedAward(ctx, twoBids);
    const loser = await agentFor(ctx, call.bids[1].staff);
    const big = Buffer.concat([PDF, Buffer.alloc(ctx.config.uploadMaxBytes + 1)]);
    const res = await lodge(loser, awardId, '大文件', [{ name: 'big.pdf', content: big }]);
    expect(res.status).toBe(413);
    expect(await ctx.db('objections').where({ award_id: awardId })).toEqual([]);
  });
});

describe('answering an objection', () => {
  async function lodged() {
    const p = await proposedAward(ctx, twoBids);
    const loser = await agentFor(ctx, p.call.bids[1].staff);
    await lodge(loser, p.awardId, '第一名报价不实');
    const objection = await ctx.db('objections').where({ award_id: p.awardId }).first();
    return { ...p, objectionId: Number(objection.id), loser };
  }

  it('rejected: the objection and the answer are published and the objector (only) is told', async () => {
    const { call, awardId, objectionId } = await lodged();
    const manager = await agentFor(ctx, call.manager);
    const page = await manager.get(`/awards/${awardId}/objections/${objectionId}`);
    expect(page.text).toContain('name="decision"');
    const res = await answer(manager, awardId, objectionId, { decision: 'rejected', answer: '经复核，报价真实有效。' });
    expect(res.status).toBe(303);
    const pub = await request(ctx.app).get(`/awards/${awardId}`);
    expect(pub.text).toContain('第一名报价不实');
    expect(pub.text).toContain('经复核，报价真实有效。');
    expect((await award(awardId)).status).toBe('proposed');
    const told = await ctx
      .db('notifications')
      .where({ kind: 'objection.answered', subject_id: String(objectionId) })
      .select('user_id');
    expect(told.map((t) => Number(t.user_id))).toEqual([call.bids[1].staff.id]);
    expect(
      await ctx.db('audit_events').where({ action: 'objection.reject', subject_id: String(objectionId) }),
    ).toHaveLength(1);
  });

  it('upheld: the award is withdrawn, the call is back in review with scoring open, and a new award can follow', async () => {
    const { call, awardId, objectionId } = await lodged();
    const manager = await agentFor(ctx, call.manager);
    const res = await answer(manager, awardId, objectionId, { decision: 'upheld', answer: '质疑成立，重新评审。' });
    expect(res.status).toBe(303);
    expect(await award(awardId)).toMatchObject({ status: 'withdrawn', withdrawn_reason: '质疑成立，重新评审。' });
    expect(await ctx.db('calls').where({ id: call.callId }).first()).toMatchObject({
      status: 'under_review',
      scoring_closed_at: null,
    });
    expect(await ctx.db('audit_events').where({ action: 'award.withdraw', subject_id: String(awardId) })).toHaveLength(
      1,
    );
    // Scoring closed again: a new proposal is possible.
    expect((await manager.get(`/calls/${call.callId}/award/new`)).status).toBe(409);
    await ctx.db('calls').where({ id: call.callId }).update({ scoring_closed_at: ctx.clock.now().toISOString() });
    const token = await csrfFrom(manager, '/manage/awards');
    const again = await manager
      .post(`/calls/${call.callId}/award`)
      .type('form')
      .send({ _csrf: token, winner: call.bids[1].bidRef, [`reason_${call.bids[0].bidRef}`]: '质疑成立' });
    expect(again.status).toBe(303);
    expect(await ctx.db('awards').where({ call_id: call.callId }).orderBy('id').select('status')).toEqual([
      { status: 'withdrawn' },
      { status: 'proposed' },
    ]);
    const pub = await request(ctx.app).get(`/awards/${awardId}`);
    expect(pub.text).toContain('质疑成立，重新评审。');
  });

  it('refuses answering twice (409), a forged objection id of another award (404), other managers and the objector (403)', async () => {
    const first = await lodged();
    const second = await lodged();
    const manager = await agentFor(ctx, first.call.manager);
    expect(
      (await answer(manager, first.awardId, first.objectionId, { decision: 'rejected', answer: '不成立' })).status,
    ).toBe(303);
    const twice = await answer(manager, first.awardId, first.objectionId, { decision: 'upheld', answer: '改主意' });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('已经答复过');
    expect((await ctx.db('objections').where({ id: first.objectionId }).first()).status).toBe('rejected');
    // second's objection under first's award: not found.
    expect(
      (await answer(manager, first.awardId, second.objectionId, { decision: 'rejected', answer: 'x' })).status,
    ).toBe(404);
    expect((await manager.get(`/awards/${first.awardId}/objections/${second.objectionId}`)).status).toBe(404);
    // A manager of another street office.
    expect(
      (await answer(manager, second.awardId, second.objectionId, { decision: 'rejected', answer: 'x' })).status,
    ).toBe(403);
    expect((await manager.get(`/awards/${second.awardId}/objections/${second.objectionId}`)).status).toBe(403);
    expect(
      (await answer(second.loser, second.awardId, second.objectionId, { decision: 'rejected', answer: 'x' })).status,
    ).toBe(403);
    expect((await ctx.db('objections').where({ id: second.objectionId }).first()).status).toBe('open');
  });

  it('hides an objection from other organizations (404) and shows it to the street auditor, not others (403)', async () => {
    const { call, awardId, objectionId } = await lodged();
    const winner = await agentFor(ctx, call.bids[0].staff);
    expect((await winner.get(`/awards/${awardId}/objections/${objectionId}`)).status).toBe(404);
    const auditor = await loginAs(ctx, 'auditor', { auditStreets: [call.streetOfficeId] });
    expect((await auditor.agent.get(`/awards/${awardId}/objections/${objectionId}`)).status).toBe(200);
    const otherAuditor = await loginAs(ctx, 'auditor', { auditStreets: [(await ctx.make.streetOffice()).id] });
    expect((await otherAuditor.agent.get(`/awards/${awardId}/objections/${objectionId}`)).status).toBe(403);
    expect((await request(ctx.app).get(`/awards/${awardId}/objections/${objectionId}`)).status).toBe(303);
    expect((await winner.get(`/awards/${awardId}/objections/${objectionId}/files/1`)).status).toBe(404);
  });

  it('refuses a bad answer with 422 and the typed text kept', async () => {
    const { call, awardId, objectionId } = await lodged();
    const manager = await agentFor(ctx, call.manager);
    const noDecision = await answer(manager, awardId, objectionId, { answer: '保留的答复' });
    expect(noDecision.status).toBe(422);
    expect(noDecision.text).toContain('保留的答复');
    expect((await answer(manager, awardId, objectionId, { decision: 'maybe', answer: 'x' })).status).toBe(422);
    expect((await answer(manager, awardId, objectionId, { decision: 'rejected', answer: '' })).status).toBe(422);
    expect((await answer(manager, awardId, objectionId, { decision: 'rejected', answer: ['a', 'b'] })).status).toBe(
      422,
    );
    expect((await ctx.db('objections').where({ id: objectionId }).first()).status).toBe('open');
  });
});

it('keeps an unscored call out of reach: no award page for a call without an award', async () => {
  const call = await readyCall(ctx, twoBids);
  expect((await request(ctx.app).get(`/awards/${call.callId + 100000}`)).status).toBe(404);
});
