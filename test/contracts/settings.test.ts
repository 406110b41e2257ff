import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { callForm, streetWithMoney } from '../calls/helpers';
import { signedContract } from './factory';
import { signIn } from '../helpers/http';
import { PDF } from '../awards/factory';

let ctx: TestContext;
let admin: Agent;
beforeAll(async () => {
  ctx = await createTestContext();
  admin = (await loginAs(ctx, 'admin')).agent;
});
afterAll(() => ctx.close());

describe('street offices as party A', () => {
  it('keeps a short code (upper-cased, unique), legal representative and address, audited', async () => {
    const res = await postForm(
      admin,
      '/admin/street-offices',
      {
        name: '汤山街道',
        district: '南京市江宁区',
        shortCode: 'ts',
        legalRepresentative: '孙海',
        address: '汤山路 1 号',
      },
      '/admin/street-offices',
    );
    expect(res.status).toBe(303);
    const street = await ctx.db('street_offices').where({ name: '汤山街道' }).first();
    expect(street).toMatchObject({ short_code: 'TS', legal_representative: '孙海', address: '汤山路 1 号' });
    expect((await admin.get(`/admin/street-offices/${street.id}/edit`)).text).toContain('value="TS"');
    const dup = await postForm(admin, '/admin/street-offices', { name: '另一街道', district: '某区', shortCode: 'TS' });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('该简称已被其他街道使用');
    expect(dup.text).toContain('value="另一街道"');
    const bad = await postForm(admin, `/admin/street-offices/${street.id}`, {
      name: '汤山街道',
      district: '南京市江宁区',
      shortCode: 'T1',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('简称应为 2–6 个英文字母');
    expect((await ctx.db('street_offices').where({ id: street.id }).first()).short_code).toBe('TS');
  });
});

describe('the call setting for advances', () => {
  it('defaults to 30%, is kept from the form, shown on the call, and refused outside 0–100', async () => {
    const { agent, user } = await loginAs(ctx, 'manager');
    const item = await streetWithMoney(ctx, user.street_office_id!, 100_000_000);
    expect((await agent.get('/calls/new')).text).toContain('name="maxAdvancePercent" type="text" value="30"');
    const bad = await postForm(agent, '/calls', callForm(item.id, { maxAdvancePercent: '101' }), '/calls/new');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('首期款上限应为 0 到 100 之间的整数');
    expect(bad.text).toContain('value="101"');
    const ok = await postForm(agent, '/calls', callForm(item.id, { maxAdvancePercent: '0' }), '/calls/new');
    expect(ok.status).toBe(303);
    const id = Number(/\/calls\/(\d+)$/.exec(ok.headers.location)![1]);
    expect((await ctx.db('calls').where({ id }).first()).max_advance_percent).toBe(0);
    expect((await agent.get(`/calls/${id}`)).text).toContain('不设首期款');
    // The database has the last word.
    await expect(ctx.db('calls').where({ id }).update({ max_advance_percent: 101 })).rejects.toThrow();
  });
});

describe('the stamped scan', () => {
  it('is uploaded by the manager after signing, kept with its own SHA-256, and read by the parties', async () => {
    const c = await signedContract(ctx);
    const manager = await signIn(ctx, c.call.manager.username);
    const page = await manager.get(`/contracts/${c.contractId}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const res = await manager
      .post(`/contracts/${c.contractId}/scan`)
      .field('_csrf', token)
      .attach('scan', PDF, 'stamped.pdf');
    expect(res.status).toBe(303);
    const row = await ctx.db('contracts').where({ id: c.contractId }).first();
    expect(row.scan_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.scan_sha256).not.toBe(row.pdf_sha256);
    const staff = await signIn(ctx, c.call.bids[0].staff.username);
    expect((await staff.get(`/contracts/${c.contractId}/scan`)).status).toBe(200);
    expect(
      (await staff.post(`/contracts/${c.contractId}/scan`).field('_csrf', token).attach('scan', PDF, 'x.pdf')).status,
    ).toBe(403);
    const fake = await manager
      .post(`/contracts/${c.contractId}/scan`)
      .field('_csrf', token)
      .attach('scan', Buffer.from('not a pdf'), 'x.pdf');
    expect(fake.status).toBe(422);
    expect((await ctx.db('contracts').where({ id: c.contractId }).first()).scan_sha256).toBe(row.scan_sha256);
  });
});

describe('an overdue signing window', () => {
  it('is flagged on the contract page, the list and the award desk', async () => {
    const { draftContract } = await import('./factory');
    const d = await draftContract(ctx);
    const start = ctx.clock.now();
    const award = await ctx.db('awards').where({ id: d.awardId }).first('final_at');
    ctx.clock.set(new Date(new Date(award.final_at).getTime() + 31 * 86400000));
    try {
      const manager2 = await signIn(ctx, d.call.manager.username);
      expect((await manager2.get(`/contracts/${d.contractId}`)).text).toContain('已超过签订期限 1 天');
      expect((await manager2.get('/contracts')).text).toContain('已超过签订期限 1 天');
      expect((await manager2.get('/manage/awards')).text).toContain('已超过签订期限 1 天');
    } finally {
      ctx.clock.set(start);
    }
  });
});
