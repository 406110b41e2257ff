import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';
import { paidContract } from './fixture';

/** "The whole district" and findings on a payment. */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
}, 60_000);
afterAll(() => ctx.close());

it('an auditor of the whole district reads every street office, also one created after the assignment', async () => {
  const { agent, user } = await loginAs(ctx, 'auditor');
  await ctx.db('auditor_district_scopes').insert({ user_id: user.id, granted_at: ctx.clock.now().toISOString() });
  const later = await ctx.make.streetOffice();
  const page = await agent.get(`/reports/funds?street=${later.id}&year=2026`);
  expect(page.status).toBe(200);
  const all = await agent.get('/reports/register?year=2026');
  const count = Number((await ctx.db('street_offices').count({ n: '*' }).first())!.n);
  expect(all.text).toContain(`（${count} 个）`);
  // The contracts module reads the same list: the auditor opens any contract page too.
  const c = await paidContract(ctx);
  expect((await agent.get(`/contracts/${c.contractId}`)).status).toBe(200);
  expect((await agent.get(`/reports/contracts/${c.contractId}/dossier.pdf`)).status).toBe(200);
}, 60_000);

it('an auditor records a finding on a payment of their street; one of another street is 404', async () => {
  const mine = await paidContract(ctx);
  const other = await paidContract(ctx);
  const { agent } = await loginAs(ctx, 'auditor', { auditStreets: [mine.streetOfficeId] });
  const payment = await ctx.db('payments').where({ contract_id: mine.contractId }).orderBy('id').first('id');
  const res = await postForm(
    agent,
    '/findings',
    { subject_type: 'payment', subject_id: String(payment.id), title: '追回金额', body: '请说明追回的计算。' },
    '/findings/new',
  );
  expect(res.status).toBe(303);
  const f = await ctx.db('audit_findings').orderBy('id', 'desc').first();
  expect([f.subject_type, f.payment_id, f.contract_id, f.street_office_id]).toEqual([
    'payment',
    payment.id,
    mine.contractId,
    mine.streetOfficeId,
  ]);
  const theirs = await ctx.db('payments').where({ contract_id: other.contractId }).first('id');
  const refused = await postForm(
    agent,
    '/findings',
    { subject_type: 'payment', subject_id: String(theirs.id), title: 't', body: 'b' },
    '/findings/new',
  );
  expect(refused.status).toBe(404);
  expect(refused.text).toContain('没有找到该支付，或它不在您负责审计的街道。');
  const page = await agent.get(`/findings/${f.id}`);
  expect(page.text).toContain(`#${payment.id}`);
}, 60_000);
