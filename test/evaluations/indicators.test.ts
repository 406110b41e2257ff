import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { combineIndicators } from '../../src/modules/evaluations/indicators';
import { PDF } from '../awards/factory';
import { PNG, postForm as post, submittedMidterm } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const upload = async (
  agent: Agent,
  path: string,
  fields: Record<string, string>,
  file?: { name: string; content: Buffer },
) => {
  let req = agent.post(path).field('_csrf', await csrfFrom(agent, '/dashboard'));
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('opinion', file.content, file.name);
  return req;
};

it('combines indicator scores by weight in integers, rounded half up', () => {
  expect(
    combineIndicators([
      { score: 8000, weight: 60 },
      { score: 9050, weight: 40 },
    ]),
  ).toBe(8420);
  expect(
    combineIndicators([
      { score: 7001, weight: 50 },
      { score: 7000, weight: 50 },
    ]),
  ).toBe(7001); // 7000.5 half up
  expect(
    combineIndicators([
      { score: 3333, weight: 30 },
      { score: 10000, weight: 30 },
      { score: 0, weight: 40 },
    ]),
  ).toBe(4000); // 3999.9
});

it("the manager and the third party score each of the call's criteria; the third party attaches an evaluation file, checked and served only to readers", async () => {
  const c = await submittedMidterm(ctx);
  const criteria = await ctx.db('call_criteria').where({ call_id: c.call.callId }).orderBy('position');
  expect(criteria.length).toBeGreaterThan(1);
  const form = (await c.manager.get(c.reportPath())).text;
  for (const k of criteria) expect(form).toContain(`name="score_${k.position}"`);

  // One indicator left blank, another out of range: 422 naming them, nothing written.
  const bad = await post(c.manager, `${c.ev}/manager-score`, { score_1: '', score_2: '100.5', comment: '好' });
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('error-score_1');
  expect(bad.text).toContain('error-score_2');
  expect(await ctx.db('evaluation_indicator_scores')).toHaveLength(0);

  const fields = Object.fromEntries(criteria.map((k, i) => [`score_${k.position}`, String(70 + i * 7.25)]));
  expect((await post(c.manager, `${c.ev}/manager-score`, { ...fields, comment: '分项评分' })).status).toBe(303);
  const expected = combineIndicators(
    criteria.map((k, i) => ({ score: Math.round((70 + i * 7.25) * 100), weight: Number(k.weight) })),
  );
  const row = await ctx.db('milestone_evaluations').where({ contract_id: c.contractId, milestone_seq: 2 }).first();
  expect(Number(row.manager_score)).toBe(expected);
  expect(await ctx.db('evaluation_indicator_scores').where({ evaluation_id: row.id, source: 'manager' })).toHaveLength(
    criteria.length,
  );

  // The third party.
  const { agent: third, user } = await loginAs(ctx, 'reviewer');
  expect((await post(c.manager, `${c.ev}/assessors`, { source: 'third_party', target: String(user.id) })).status).toBe(
    303,
  );
  expect((await post(third, `${c.ev}/declaration`, { declaration: 'none' })).status).toBe(303);
  const all90 = Object.fromEntries(criteria.map((k) => [`score_${k.position}`, '90']));
  // A PNG named .pdf is not what its extension says: 422, nothing written.
  const fake = await upload(
    third,
    `${c.ev}/assessor-score`,
    { ...all90, comment: '第三方' },
    { name: 'opinion.pdf', content: PNG },
  );
  expect(fake.status).toBe(422);
  expect(await ctx.db('evaluation_opinion_files')).toHaveLength(0);
  expect(
    (await ctx.db('evaluation_assessors').where({ evaluation_id: row.id, source: 'third_party' }).first()).score,
  ).toBeNull();
  const ok = await upload(
    third,
    `${c.ev}/assessor-score`,
    { ...all90, comment: '第三方意见' },
    { name: '评估意见书.pdf', content: PDF },
  );
  expect(ok.status).toBe(303);
  expect(
    Number(
      (await ctx.db('evaluation_assessors').where({ evaluation_id: row.id, source: 'third_party' }).first()).score,
    ),
  ).toBe(9000);
  expect(
    await ctx.db('evaluation_indicator_scores').where({ evaluation_id: row.id, source: 'third_party' }),
  ).toHaveLength(criteria.length);

  // Served to the parties and the assessor; another organization and an unassigned reviewer get 404.
  for (const agent of [c.manager, c.staff, third]) expect((await agent.get(`${c.ev}/opinion-file`)).status).toBe(200);
  expect((await (await signIn(ctx, c.call.bids[1].staff.username)).get(`${c.ev}/opinion-file`)).status).toBe(404);
  expect((await (await loginAs(ctx, 'reviewer')).agent.get(`${c.ev}/opinion-file`)).status).toBe(404);
  expect((await c.staff.get(c.reportPath())).text).toContain('评估意见书.pdf');

  // The peer scores with one number and attaches no file.
  expect(
    (await post(c.manager, `${c.ev}/assessors`, { source: 'peer', target: String(c.call.bids[1].organizationId) }))
      .status,
  ).toBe(303);
  const peer = await signIn(ctx, c.call.bids[1].staff.username);
  expect((await post(peer, `${c.ev}/declaration`, { declaration: 'none' })).status).toBe(303);
  expect(
    (await upload(peer, `${c.ev}/assessor-score`, { score: '80', comment: '互评' }, { name: 'x.pdf', content: PDF }))
      .status,
  ).toBe(422);
  expect((await post(peer, `${c.ev}/assessor-score`, { score: '80', comment: '互评' })).status).toBe(303);
});
