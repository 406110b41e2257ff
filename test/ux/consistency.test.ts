import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { streetWithMoney } from '../calls/helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

describe('consistency and layout', () => {
  it('a manager drafts a call from a catalogue item: the link opens the call form with the item chosen', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await streetWithMoney(ctx, user.street_office_id!);
    const page = await agent.get(`/catalog/${item.id}`);
    expect(page.text).toContain(`href="/calls/new?item=${item.id}">据此起草项目公告`);
    const form = await agent.get(`/calls/new?item=${item.id}`);
    expect(form.text).toMatch(new RegExp(`<option value="${item.id}"[^>]*selected`));
    const { agent: staff } = await loginAs(ctx, 'org_staff');
    expect((await staff.get(`/catalog/${item.id}`)).text).not.toContain('据此起草项目公告');
  });

  it("the call form's date hint names no format of its own: the browser's control shows its own (mm/dd/yyyy, 年/月/日 …)", async () => {
    const { agent } = await loginAs(ctx, 'manager');
    const form = await agent.get('/calls/new');
    expect(form.text).toContain('type="datetime-local"');
    expect(form.text).toContain('控件按您浏览器的格式显示），例如 2026年12月31日 17:00');
    expect(form.text).not.toMatch(/年\/月\/日|年-月-日|2026-12-31 17:00|2026\/12\/31/);
  });
});
