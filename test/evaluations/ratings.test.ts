import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, type Agent } from '../helpers/http';
import { managerUser } from '../awards/factory';
import { closedEvaluation, publicEvaluationResults } from '../../src/modules/evaluations';
import { citizenScore, openRound, rate, roundOf, RATINGS_PER_ADDRESS } from '../../src/modules/evaluations/ratings';
import { postForm as post, scores, submittedMidterm } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const actor = { userId: null, label: 'test', role: 'manager', ip: null, requestId: null };
const inOneWeek = () => new Date(ctx.clock.now().getTime() + 7 * 24 * 3600 * 1000);
const shanghaiInput = (d: Date) => new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 16);
const ratingsOf = async (roundId: number) => ctx.db('citizen_ratings').where({ round_id: roundId });

/** A citizen's browser: opens the link, then posts the form with its anonymous CSRF token. */
async function citizen(): Promise<Agent> {
  return request.agent(ctx.app);
}
async function rateAs(agent: Agent, token: string, fields: Record<string, string>) {
  const csrf = await csrfFrom(agent, `/r/${token}`);
  return agent
    .post(`/r/${token}`)
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

async function withRound() {
  const c = await submittedMidterm(ctx);
  const res = await post(c.manager, `${c.ev}/rating-round`, { closesAt: shanghaiInput(inOneWeek()) });
  expect(res.status).toBe(303);
  const round = (await roundOf(ctx.db, c.contractId, 2))!;
  return { ...c, round };
}

it('the manager opens a round and prints its page with a QR code of a short unguessable link', async () => {
  const c = await submittedMidterm(ctx);
  expect((await c.manager.get(c.reportPath())).text).toContain('evaluation/rating-round');
  const past = await post(c.manager, `${c.ev}/rating-round`, { closesAt: '2020-01-01T10:00' });
  expect(past.status).toBe(422);
  expect(past.text).toContain('请填写 90 天以内的将来时间作为截止时间');
  expect((await post(c.staff, `${c.ev}/rating-round`, { closesAt: shanghaiInput(inOneWeek()) })).status).toBe(403);
  expect(await roundOf(ctx.db, c.contractId, 2)).toBeUndefined();

  expect((await post(c.manager, `${c.ev}/rating-round`, { closesAt: shanghaiInput(inOneWeek()) })).status).toBe(303);
  const round = (await roundOf(ctx.db, c.contractId, 2))!;
  expect(round.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect((await post(c.manager, `${c.ev}/rating-round`, { closesAt: shanghaiInput(inOneWeek()) })).status).toBe(409);
  const printed = await c.manager.get(`${c.ev}/rating-round`);
  expect(printed.status).toBe(200);
  expect(printed.text).toContain('<svg');
  expect(printed.text).toContain(`/r/${round.token}`);
  expect(printed.text).toContain('评价时间');
  expect((await c.staff.get(`${c.ev}/rating-round`)).status).toBe(403);
  expect(
    await ctx.db('audit_events').where({ action: 'evaluation.rating_round_open', subject_id: String(round.id) }),
  ).toHaveLength(1);
});

it('a citizen rates without signing in, once per browser; no session row is written; comments reach staff only', async () => {
  const c = await withRound();
  const sessionsBefore = Number((await ctx.db('sessions').count({ n: '*' }).first())!.n);
  const phone = await citizen();
  const page = await phone.get(`/r/${c.round.token}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('您对本项服务满意吗？');
  expect(String(page.headers['set-cookie'])).toContain('sf.rater=');

  // Bad input: 422, nothing written.
  expect((await rateAs(phone, c.round.token, { stars: '6' })).status).toBe(422);
  const long = await rateAs(phone, c.round.token, { stars: '4', comment: '长'.repeat(301) });
  expect(long.status).toBe(422);
  expect(long.text).toContain('意见不能超过 300 字');
  expect(await ratingsOf(c.round.id)).toHaveLength(0);

  const ok = await rateAs(phone, c.round.token, { stars: '4', comment: '社工很耐心' });
  expect(ok.status).toBe(200);
  expect(ok.text).toContain('感谢您的评价');
  const again = await rateAs(phone, c.round.token, { stars: '1' });
  expect(again.status).toBe(409);
  expect(again.text).toContain('本浏览器已对本项服务评价过');
  expect((await ratingsOf(c.round.id)).map((r) => Number(r.stars))).toEqual([4]);
  expect(Number((await ctx.db('sessions').count({ n: '*' }).first())!.n)).toBe(sessionsBefore);

  // A forged cookie is not a browser id; a forged or guessed link is a clear 404.
  const forger = await citizen();
  await forger.get(`/r/${c.round.token}`);
  const forged = await forger
    .post(`/r/${c.round.token}`)
    .set('Cookie', `sf.rater=${'a'.repeat(32)}.${'b'.repeat(64)}`)
    .type('form')
    .send({ stars: '5' });
  expect([400, 403]).toContain(forged.status);
  const guessed = await phone.get('/r/AAAAAAAAAAAAAAAAAAAAAA');
  expect(guessed.status).toBe(404);
  expect(guessed.text).toContain('评价链接无效');
  expect((await phone.get('/r/x')).status).toBe(404);

  // The manager and the organization read the comment; the page for the public never shows it.
  expect((await c.manager.get(c.reportPath())).text).toContain('社工很耐心');
  expect((await c.staff.get(c.reportPath())).text).toContain('社工很耐心');
  expect((await citizen().then((a) => a.get(`/r/${c.round.token}`))).text).not.toContain('社工很耐心');
});

it('a closed round takes no rating: closed by the manager, or past its time', async () => {
  const c = await withRound();
  const phone = await citizen();
  await phone.get(`/r/${c.round.token}`);
  const csrf = await csrfFrom(phone, `/r/${c.round.token}`);
  expect((await post(c.staff, `${c.ev}/rating-round/closing`)).status).toBe(403);
  expect((await post(c.manager, `${c.ev}/rating-round/closing`)).status).toBe(303);
  const late = await phone.post(`/r/${c.round.token}`).type('form').send({ _csrf: csrf, stars: '5' });
  expect(late.status).toBe(409);
  expect(late.text).toContain('本轮评价已结束');
  expect((await phone.get(`/r/${c.round.token}`)).text).toContain('本轮评价已结束');
  expect(await ratingsOf(c.round.id)).toHaveLength(0);
  expect((await post(c.manager, `${c.ev}/rating-round/closing`)).status).toBe(409);

  const d = await withRound();
  const round = d.round;
  expect(
    await rate(ctx, { ...round, closes_at: ctx.clock.now().toISOString() }, 'f'.repeat(32), '10.0.0.9', 5, null),
  ).toBe('closed');
  expect(await ratingsOf(round.id)).toHaveLength(0);
});

it('per address at most 60 ratings an hour (a community centre on one network rates; a flood waits)', async () => {
  const c = await withRound();
  const ip = '203.0.113.7';
  for (let i = 0; i < RATINGS_PER_ADDRESS.max; i += 1)
    expect(await rate(ctx, c.round, i.toString(16).padStart(32, '0'), ip, 5, null)).toBe('rated');
  expect(await rate(ctx, c.round, 'e'.repeat(32), ip, 5, null)).toBe('limited');
  expect(await rate(ctx, c.round, 'e'.repeat(32), '203.0.113.8', 5, null)).toBe('rated');
  expect(await ratingsOf(c.round.id)).toHaveLength(61);
  // A second rating of a browser does not use up the address's allowance.
  expect(await rate(ctx, c.round, 'e'.repeat(32), '203.0.113.8', 1, null)).toBe('already');
  expect(Number((await ctx.db('attempt_limits').where({ key: 'rating:203.0.113.8' }).first()).attempts)).toBe(1);
  // Over HTTP, the refusal is a 429 with a clear message, nothing written.
  const d = await withRound();
  expect((await rateAs(await citizen(), d.round.token, { stars: '4' })).status).toBe(200);
  const key = (await ctx.db('attempt_limits').where('key', 'like', 'rating:%127.0.0.1').first()).key;
  await ctx
    .db('attempt_limits')
    .where({ key })
    .update({ attempts: 60, next_allowed_at: new Date(ctx.clock.now().getTime() + 3600_000).toISOString() });
  const res = await rateAs(await citizen(), d.round.token, { stars: '3' });
  expect(res.status).toBe(429);
  expect(res.text).toContain('过去一小时内来自同一网络的评价过多');
  expect(await ratingsOf(d.round.id)).toHaveLength(1);
  await ctx.db('attempt_limits').where({ key }).delete();
});

it('(mean − 1) × 25 in hundredths, rounded half up, exactly', () => {
  expect(citizenScore(5, 1)).toBe(10000);
  expect(citizenScore(1 * 3, 3)).toBe(0);
  expect(citizenScore(4 + 5 + 5, 3)).toBe(9167); // (14 − 3) × 2500 / 3 = 9166.67
  expect(citizenScore(9, 8)).toBe(313); // 312.5, half up
  expect(citizenScore(3 + 3, 2)).toBe(5000);
});

it('on closing, a round with at least the minimum counts; below it the citizen source is missing and renormalized', async () => {
  // 12 ratings: 5×6, 4×4, 3×2 = 30+16+6 = 52; (52 − 12) × 2500 / 12 = 8333.33 -> 8333.
  const c = await withRound();
  const stars = [5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3];
  for (const [i, s] of stars.entries())
    expect(await rate(ctx, c.round, `a${i}`.padStart(32, '0'), `198.51.100.${i}`, s, null)).toBe('rated');
  expect((await post(c.manager, c.scorePath, { ...scores('73.33'), comment: '台账基本齐全' })).status).toBe(303);
  expect((await post(c.manager, c.closePath)).status).toBe(303);
  // (8850·10 + 7333·30 + 8333·20) / 60 = (88500 + 219990 + 166660) / 60 = 7919.17 -> 7919
  const closed = (await closedEvaluation(ctx.db, c.milestoneId))!;
  expect(closed).toMatchObject({ score: 7919, grade: 'pass', stars: 3 });
  expect(closed.weights.used.find((u) => u.source === 'citizen')).toMatchObject({ score: 8333, weight: 20 });
  expect((await publicEvaluationResults(ctx.db, c.contractId))[0]).toMatchObject({ score: 7919, citizenRatings: 12 });
  // The round ended with the evaluation.
  expect((await roundOf(ctx.db, c.contractId, 2))!.closed_at).not.toBeNull();

  // Nine ratings, below the call's minimum of ten: the source is missing.
  const d = await submittedMidterm(ctx);
  const round = await openRound(ctx, actor, managerUser(d.call), d.contractId, 2, inOneWeek());
  for (let i = 0; i < 9; i += 1) await rate(ctx, round, `b${i}`.padStart(32, '0'), `192.0.2.${i}`, 1, null);
  expect((await post(d.manager, d.scorePath, { ...scores('73.33'), comment: '台账基本齐全' })).status).toBe(303);
  expect((await post(d.manager, d.closePath)).status).toBe(303);
  const few = (await closedEvaluation(ctx.db, d.milestoneId))!;
  expect(few).toMatchObject({ score: 7712 });
  expect(few.weights.missing).toContain('citizen');
  expect((await publicEvaluationResults(ctx.db, d.contractId))[0].citizenRatings).toBe(9);
});

it(`two ratings at once from one browser write one (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const c = await withRound();
  const outcomes = await Promise.all([0, 1].map((i) => rate(ctx, c.round, 'c'.repeat(32), `198.18.0.${i}`, 5, null)));
  expect(outcomes.sort()).toEqual(['already', 'rated']);
  expect(await ratingsOf(c.round.id)).toHaveLength(1);
});
