import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.make.streetOffice({ name: '甲街道' });
});
afterAll(() => ctx.close());

const head = async () => (await ctx.db('audit_chain_head').first()) as { last_event_id: number; last_hash: string };

describe('the verify page', () => {
  it('shows the administrator the checkpoint to note, and checks a noted one', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const { last_event_id: count, last_hash: hash } = await head();
    const page = await agent.get('/audit/verify');
    expect(page.status).toBe(200);
    expect(page.text).toContain(hash);
    expect(page.text).toContain('所有投标密封日志完整');
    const passes = await agent.get(`/audit/verify?count=${count}&hash=${hash.toUpperCase()}`);
    expect(passes.status).toBe(200);
    expect(passes.text).toContain('审计链经过该检查点');
    const diverges = await agent.get(`/audit/verify?count=${count}&hash=${'0'.repeat(64)}`);
    expect(diverges.text).toContain('审计链未经过该检查点');
    const missing = await agent.get(`/audit/verify?count=${Number(count) + 50}&hash=${hash}`);
    expect(missing.text).toContain('审计链未到达该检查点');
  });

  it('re-shows a malformed checkpoint with 422 and what was typed', async () => {
    const { agent } = await loginAs(ctx, 'admin');
    const res = await agent.get('/audit/verify?count=abc&hash=xyz');
    expect(res.status).toBe(422);
    expect(res.text).toContain('请输入事件条数');
    expect(res.text).toContain('请输入链头哈希');
    expect(res.text).toContain('value="abc"');
  });

  it('shows an auditor the events checked, the head and the time, and verifies up to a noted checkpoint', async () => {
    // The count and head are public (the checkpoint page, issue 14), so an auditor sees them too.
    const street = await ctx.make.streetOffice({ name: '乙街道' });
    const { agent } = await loginAs(ctx, 'auditor', { auditStreets: [Number((street as { id: number }).id)] });
    const { last_event_id: count, last_hash: hash } = await head();
    const page = await agent.get('/audit/verify');
    expect(page.status).toBe(200);
    expect(page.text).toContain('审计链完整');
    expect(page.text).toContain(hash);
    expect(page.text).toContain('核验时间');
    const upTo = await agent.get(`/audit/verify?count=${count}&hash=${hash}`);
    expect(upTo.text).toContain('审计链经过该检查点');
    expect(upTo.text).toMatch(new RegExp(`已核验事件条数</dt><dd><code>${count}</code>`));
  });
});
