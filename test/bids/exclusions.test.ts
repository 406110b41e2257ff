import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm } from '../helpers/http';
import { bidFields, count, makeCall, postBid, snapshot, staffAgent } from './helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('street-office exclusions (200/303)', () => {
  it('lets a manager exclude an organization with a reason, which then cannot bid on the street’s calls, and readmit it', async () => {
    const { agent: manager, user } = await loginAs(ctx, 'manager');
    const call = await makeCall(ctx, { street_office_id: user.street_office_id });
    const otherCall = await makeCall(ctx);
    const staff = await staffAgent(ctx, { name: '被限制的机构' });
    expect((await manager.get('/street-office/exclusions')).text).toContain('被限制的机构');

    const res = await postForm(
      manager,
      '/street-office/exclusions',
      { organizationId: String(staff.org.id), reason: '上年度合同违约' },
      '/street-office/exclusions',
    );
    expect(res.status).toBe(303);
    const event = await ctx.db('audit_events').where({ action: 'exclusion.add' }).orderBy('id', 'desc').first();
    expect(event.street_office_id).toBe(user.street_office_id);
    expect(event.organization_id).toBe(staff.org.id);
    expect(event.after_json).toContain('上年度合同违约');

    const before = await snapshot(ctx);
    const refused = await postBid(staff.agent, `/calls/${call.id}/bids`, bidFields());
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('本街道已将贵机构列入限制名单');
    expect(await snapshot(ctx)).toEqual(before);
    expect((await staff.agent.get(`/calls/${call.id}`)).text).toContain('上年度合同违约');
    // Another street office's calls are not affected.
    expect((await postBid(staff.agent, `/calls/${otherCall.id}/bids`, bidFields())).status).toBe(303);

    const exclusion = await ctx.db('street_office_exclusions').where({ organization_id: staff.org.id }).first();
    const readmit = await postForm(
      manager,
      `/street-office/exclusions/${exclusion.id}/removal`,
      { reason: '整改完成' },
      '/street-office/exclusions',
    );
    expect(readmit.status).toBe(303);
    expect(await count(ctx, 'street_office_exclusions', { id: exclusion.id })).toBe(0);
    const removed = await ctx.db('audit_events').where({ action: 'exclusion.remove' }).first();
    expect(removed.before_json).toContain('上年度合同违约');
    expect(removed.after_json).toContain('整改完成');
    expect((await postBid(staff.agent, `/calls/${call.id}/bids`, bidFields())).status).toBe(303);
  });
});

describe('refused exclusions (404/422), nothing written', () => {
  it('answers 404 to a manager of another street office readmitting', async () => {
    const { agent: manager } = await loginAs(ctx, 'manager');
    const { agent: other } = await loginAs(ctx, 'manager');
    const org = await ctx.make.organization();
    await postForm(
      manager,
      '/street-office/exclusions',
      { organizationId: String(org.id), reason: '违约' },
      '/street-office/exclusions',
    );
    const exclusion = await ctx.db('street_office_exclusions').where({ organization_id: org.id }).first();
    const before = await snapshot(ctx);
    expect(
      (
        await postForm(
          other,
          `/street-office/exclusions/${exclusion.id}/removal`,
          { reason: 'x' },
          '/street-office/exclusions',
        )
      ).status,
    ).toBe(404);
    expect((await other.get('/street-office/exclusions')).text).not.toContain('违约');
    expect(await snapshot(ctx)).toEqual(before);
  });

  it('refuses a missing reason, an unknown or pending organization, a second exclusion, and arrays', async () => {
    const { agent: manager } = await loginAs(ctx, 'manager');
    const org = await ctx.make.organization();
    const pending = await ctx.make.organization({ status: 'pending' });
    await postForm(
      manager,
      '/street-office/exclusions',
      { organizationId: String(org.id), reason: '违约' },
      '/street-office/exclusions',
    );
    const exclusion = await ctx.db('street_office_exclusions').where({ organization_id: org.id }).first();
    const before = await snapshot(ctx);
    const cases: [Record<string, string | string[]>, string][] = [
      [{ organizationId: String(org.id), reason: '' }, '此项为必填项'],
      [{ organizationId: '999999', reason: '违约' }, '请从列表中选择'],
      [{ organizationId: String(pending.id), reason: '违约' }, '请从列表中选择'],
      [{ organizationId: String(org.id), reason: '再次' }, '该社会组织已在本街道的限制名单中'],
      [{ organizationId: [String(org.id), '1'], reason: '违约' }, '此项应为一段文字'],
      [{ organizationId: String(org.id), reason: ['a', 'b'] }, '此项应为一段文字'],
    ];
    for (const [fields, message] of cases) {
      const res = await postForm(manager, '/street-office/exclusions', fields, '/street-office/exclusions');
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
    }
    const readmit = await postForm(
      manager,
      `/street-office/exclusions/${exclusion.id}/removal`,
      { reason: '' },
      '/street-office/exclusions',
    );
    expect(readmit.status).toBe(422);
    expect(await snapshot(ctx)).toEqual(before);
  });
});
