import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { closePdfText, pdfPages } from '../helpers/pdf-text';
import { closedEvaluation } from '../../src/modules/evaluations';
import { activeContract, completeReport, PNG, postReport, scores } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await closePdfText();
  await ctx.close();
});

const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const download = (agent: Agent, path: string) => agent.get(path).buffer(true).parse(binary);

it('closing stores the assessment report once; its text says the scores, weights, result and the partial payment arithmetic; parties and auditors download the recorded bytes', async () => {
  const c = await activeContract(ctx);
  // Weights self 10 / manager 30 / …; pass 70, pro rata from 60; amount ¥48,000.00.
  await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).update({
    weight_self: 10,
    weight_manager: 30,
    weight_peer: 20,
    weight_citizen: 20,
    weight_third_party: 20,
    pass_score: 70,
    partial_rule: 'pro_rata',
    floor_score: 60,
    amount_fen: 4_800_000,
  });
  expect(
    (
      await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport({ selfScore: '70' }) }, [
        { name: '活动照片.png', content: PNG },
      ])
    ).status,
  ).toBe(303);
  const ev = `/contracts/${c.contractId}/milestones/2/evaluation`;
  expect((await download(c.manager, `${ev}/report.pdf`)).status).toBe(404); // nothing before closing
  expect((await post(c.manager, `${ev}/manager-score`, { ...scores('63.33'), comment: '签到表不全' })).status).toBe(
    303,
  );
  expect((await post(c.manager, `${ev}/closing`)).status).toBe(303);

  // (7000·10 + 6333·30) / 40 = 6499.75 -> 65.00: below 70, pro rata: 4,800,000 × 500 / 1000 = 2,400,000 fen.
  const milestoneId = Number(
    (await ctx.db('contract_milestones').where({ contract_id: c.contractId, seq: 2 }).first()).id,
  );
  const result = await closedEvaluation(ctx.db, milestoneId);
  expect(result).toMatchObject({
    score: 6500,
    grade: 'pass',
    stars: 2,
    passed: false,
    consequence: { kind: 'partial', payableFen: 2_400_000 },
  });
  const row = await ctx.db('evaluation_reports').first();
  expect(result!.reportSha256).toBe(row.sha256);
  const event = await ctx.db('audit_events').where({ action: 'evaluation.close' }).orderBy('id', 'desc').first();
  expect(JSON.parse(event.after_json).assessment_pdf_sha256).toBe(row.sha256);

  const pdf = await download(c.staff, `${ev}/report.pdf`);
  expect(pdf.status).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  expect(
    crypto
      .createHash('sha256')
      .update(pdf.body as Buffer)
      .digest('hex'),
  ).toBe(row.sha256);
  const text = (await pdfPages(pdf.body as Buffer)).join('\n').replace(/\s+/g, '');
  for (const expected of [
    '评估报告',
    '自评',
    '街道评价',
    '签到表不全',
    '65.00',
    '合格',
    '25.00%',
    '75.00%',
    '缺失的来源：同行互评、群众评价、第三方评估',
    '按比例支付',
    '¥24,000.00',
    '活动照片.png',
    '星级2星（满分5星）',
  ]) {
    expect(text).toContain(expected.replace(/\s+/g, ''));
  }
  // The stars are drawn as shapes: no ★ or ☆ character (the font subset has no glyph for them).
  expect(text).not.toMatch(/[★☆]/);
  expect((await c.manager.get(c.reportPath())).text).toContain(row.sha256);

  // Auditors of the street download it; another organization and another street's auditor do not.
  const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
  expect((await download(auditor, `${ev}/report.pdf`)).status).toBe(200);
  expect((await download((await loginAs(ctx, 'auditor')).agent, `${ev}/report.pdf`)).status).toBe(404);
  expect((await download(await signIn(ctx, c.call.bids[1].staff.username), `${ev}/report.pdf`)).status).toBe(404);
  expect((await request(ctx.app).get(`${ev}/report.pdf`)).status).toBe(303);
});
