import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';

/**
 * An auditor's trail includes the events they caused that name no street office (a report downloaded
 * for all their streets), an auditor of the whole district reads every event, and a street-scoped
 * auditor still never sees another street's events (src/modules/audit-trail/scope.ts).
 */
let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
}, 60_000);
afterAll(() => ctx.close());

const rowsOf = (html: string) => [...html.matchAll(/<a href="\/audit\/(\d+)" aria-label/g)].map((m) => Number(m[1]));

async function wholeScopeDownload() {
  const [a, b, other] = [await ctx.make.streetOffice(), await ctx.make.streetOffice(), await ctx.make.streetOffice()];
  const { agent, user } = await loginAs(ctx, 'auditor', { auditStreets: [a.id, b.id] });
  const res = await agent.get('/reports/register/export?street=all&year=2026&format=csv');
  expect(res.status).toBe(200);
  const event = await ctx
    .db('audit_events')
    .where({ action: 'report.download', actor_user_id: user.id })
    .orderBy('id', 'desc')
    .first();
  expect(event.street_office_id).toBeNull(); // two streets: the event names none
  // An event of a street office that is not the auditor's: its manager signs in.
  const { user: manager } = await loginAs(ctx, 'manager', { street_office_id: other.id });
  const foreign = await ctx.db('audit_events').where({ action: 'auth.sign_in', actor_user_id: manager.id }).first();
  return { agent, user, a, b, other, eventId: Number(event.id), foreignId: Number(foreign.id) };
}

it('shows a street-scoped auditor their own download of all their streets, in the list, on its page and in the CSV', async () => {
  const { agent, eventId, foreignId } = await wholeScopeDownload();
  const list = await agent.get('/audit?action=report.download');
  expect(list.status).toBe(200);
  expect(rowsOf(list.text)).toContain(eventId);
  expect(rowsOf((await agent.get('/audit')).text)).not.toContain(foreignId);
  expect((await agent.get(`/audit/${eventId}`)).status).toBe(200);
  const csv = await agent.get('/audit/export.csv?action=report.download');
  expect(csv.status).toBe(200);
  expect(csv.text.split('\r\n').some((line) => line.startsWith(`${eventId},`))).toBe(true);
  // Their dashboard lists what changed in their streets (dashboard/queues.ts, in the same trail
  // scope): a download changes nothing, so it is on the trail but not in that queue.
  const dashboard = await agent.get('/dashboard');
  expect(dashboard.status).toBe(200);
  expect(dashboard.text).not.toContain(`/audit/${eventId}`);
});

it('still refuses a street-scoped auditor another street’s events, and another auditor’s whole-scope download', async () => {
  const { eventId, foreignId, a } = await wholeScopeDownload();
  const { agent: colleague } = await loginAs(ctx, 'auditor', { auditStreets: [a.id] });
  expect((await colleague.get(`/audit/${foreignId}`)).status).toBe(404);
  expect((await colleague.get(`/audit/${eventId}`)).status).toBe(404); // not theirs, and it names no street office
  const list = await colleague.get('/audit?action=report.download');
  expect(rowsOf(list.text)).not.toContain(eventId);
  const csv = await colleague.get('/audit/export.csv');
  expect(
    csv.text.split('\r\n').some((line) => line.startsWith(`${foreignId},`) || line.startsWith(`${eventId},`)),
  ).toBe(false);
});

it('shows an auditor of the whole district every event: other auditors’ downloads, any street, the district’s own', async () => {
  const { eventId, foreignId } = await wholeScopeDownload();
  const { agent, user } = await loginAs(ctx, 'auditor');
  await ctx.db('auditor_district_scopes').insert({ user_id: user.id, granted_at: ctx.clock.now().toISOString() });
  const { user: admin } = await loginAs(ctx, 'admin');
  const adminSignIn = Number(
    (await ctx.db('audit_events').where({ action: 'auth.sign_in', actor_user_id: admin.id }).first('id')).id,
  );
  for (const id of [eventId, foreignId, adminSignIn]) expect((await agent.get(`/audit/${id}`)).status).toBe(200);
  expect(rowsOf((await agent.get('/audit?action=report.download')).text)).toContain(eventId);
});
