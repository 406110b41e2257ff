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

  it('tells an auditor intact or broken, without the district-wide count or head', async () => {
    const street = await ctx.make.streetOffice({ name: '乙街道' });
    const { agent } = await loginAs(ctx, 'auditor', { auditStreets: [Number((street as { id: number }).id)] });
    const { last_event_id: count, last_hash: hash } = await head();
    const res = await agent.get(`/audit/verify?count=${Number(count) + 50}&hash=${'0'.repeat(64)}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('审计链完整');
    expect(res.text).not.toContain(hash);
    expect(res.text).not.toContain('审计链未到达该检查点');
    expect(res.text).not.toContain(`共 ${count} 条`);
    expect(res.text).not.toContain('检查点');
  });
});
