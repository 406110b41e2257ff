import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, signIn } from '../helpers/http';
import { enrol, phoneCode, signInWithCode } from '../helpers/second-factor';

/**
 * Report downloads ask for the second factor proved in the session (requireSecondFactor): an enrolled
 * auditor whose session has not proved it is sent to the step-up page and comes back to the file.
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext(); // demo mode: offered, not required; an enrolled user must still prove it
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
}, 60_000);
afterAll(() => ctx.close());

const downloads = (userId: number) =>
  ctx.db('audit_events').where({ action: 'report.download', actor_user_id: userId });

it('sends an auditor whose session has not proved the second factor to the step-up, then gives the file', async () => {
  const street = await ctx.make.streetOffice();
  const { agent: older, user } = await loginAs(ctx, 'auditor', { auditStreets: [street.id] }); // signed in before enrolling
  const { secret } = await enrol(ctx, await signIn(ctx, user.username));
  const url = `/reports/register/export?street=${street.id}&year=2026&format=csv`;

  const asked = await older.get(url);
  expect(asked.status).toBe(303);
  expect(asked.headers.location).toBe(`/account/second-factor/verify?next=${encodeURIComponent(url)}`);
  expect(await downloads(user.id)).toHaveLength(0); // nothing was sent, so nothing is recorded
  const page = await older.get(asked.headers.location);
  expect(page.status).toBe(200);
  expect(page.text).toContain('此操作需要第二重验证');
  // The pages stay readable without it; only the downloads ask.
  expect((await older.get(`/reports/register?street=${street.id}&year=2026`)).status).toBe(200);

  const wrong = await postForm(
    older,
    '/account/second-factor/verify',
    { code: '000000', next: url },
    asked.headers.location,
  );
  expect(wrong.status).toBe(422);
  const proved = await postForm(
    older,
    '/account/second-factor/verify',
    { code: phoneCode(ctx, secret), next: url },
    asked.headers.location,
  );
  expect(proved.status).toBe(303);
  expect(proved.headers.location).toBe(url);
  const file = await older.get(proved.headers.location);
  expect(file.status).toBe(200);
  expect(file.headers['content-type']).toMatch(/^text\/csv/);
  expect(file.text.startsWith('\ufeff')).toBe(true);
  expect(await downloads(user.id)).toHaveLength(1);
  // Proved once in the session: the next download goes straight through.
  expect((await older.get(`/reports/funds/export?street=${street.id}&year=2026&format=xlsx`)).status).toBe(200);
}, 60_000);

it('gives the file at once to an auditor who proved the code at sign-in', async () => {
  const street = await ctx.make.streetOffice();
  const { agent: first, user } = await loginAs(ctx, 'auditor', { auditStreets: [street.id] });
  const { secret } = await enrol(ctx, first);
  const { agent } = await signInWithCode(ctx, user.username, { secret });
  const res = await agent.get(`/reports/payments/export?street=${street.id}&year=2026&format=csv`);
  expect(res.status).toBe(200);
  expect(await downloads(user.id)).toHaveLength(1);
});

it('refuses a role that may not download at all with 403, not with the step-up (an approver)', async () => {
  const { agent } = await loginAs(ctx, 'approver');
  const res = await agent.get('/reports/register/export?street=all&year=2026&format=csv');
  expect(res.status).toBe(403);
});
