import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs } from '../helpers/http';
import { callForm, countOf, streetWithMoney } from '../calls/helpers';
import { minimalPdf } from '../helpers/pdf-fixture';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.clock.set('2026-11-25T02:00:00.000Z'));

describe('a refused form with files says they must be chosen again', () => {
  it('a call draft refused (422) names the document that was not uploaded, and stores nothing', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await streetWithMoney(ctx, user.street_office_id!);
    const token = await csrfFrom(agent, '/calls/new');
    let req = agent.post('/calls').field('_csrf', token);
    for (const [k, v] of Object.entries(callForm(item.id, { title: '' }))) req = req.field(k, v);
    const before = await countOf(ctx, 'stored_files');
    const res = await req.attach('documents', minimalPdf(), '招标文件.pdf');
    expect(res.status).toBe(422);
    expect(res.text).toContain('表单未保存，已选择的文件（招标文件.pdf）没有上传');
    expect(res.text).toMatch(/id="error-documents"/);
    expect(await countOf(ctx, 'stored_files')).toBe(before);
  });

  it('a refused form without files says nothing about files', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await streetWithMoney(ctx, user.street_office_id!);
    const token = await csrfFrom(agent, '/calls/new');
    let req = agent.post('/calls').field('_csrf', token);
    for (const [k, v] of Object.entries(callForm(item.id, { title: '' }))) req = req.field(k, v);
    const res = await req;
    expect(res.status).toBe(422);
    expect(res.text).not.toContain('表单未保存');
  });
});
