import request from 'supertest';
import { systemActor } from '../../src/audit/audit';
import { saveDraft } from '../../src/modules/contracts/service/drafting';
import { acceptContract, sendContract, signContract } from '../../src/modules/contracts/service/signing';
import { termsOf, versionInForce } from '../../src/modules/contracts/queries';
import { mf, termsToValues } from '../../src/modules/contracts/terms';
import { fenToInput } from '../../src/shared/money';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { draftContract, staffUser } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const PHONE = '13812345678';
const LANDLINE = '021-62345678';

describe('the public contract page', () => {
  it('shows a signed contract without sign-in, with no personal data, and is linked from the award notice', async () => {
    const d = await draftContract(ctx, {}, async (award) => {
      await ctx
        .db('organizations')
        .where({ id: award.call.bids[0].organizationId })
        .update({ legal_representative: '王秀英', contact_person: '陈小梅', contact_phone: '13998765432' });
      await ctx
        .db('street_offices')
        .where({ id: award.call.streetOfficeId })
        .update({ legal_representative: '李建国', address: '东山街道上元大街 398 号' });
    });
    const v = await versionInForce(ctx.db, d.contractId);
    const values = termsToValues(termsOf(v!), fenToInput);
    await saveDraft(ctx, systemActor, d.manager, d.contractId, {
      ...values,
      servicePlan: `社区读书会，报名请致电项目负责人 ${PHONE}`,
      [mf(2, 'deliverables')]: `中期报告，联系 ${LANDLINE} 核对`,
    });
    const anon = request(ctx.app);
    expect((await anon.get(`/public/contracts/${d.contractId}`)).status).toBe(404); // a draft
    expect((await anon.get(`/awards/${d.awardId}`)).text).not.toContain(`/public/contracts/${d.contractId}`);
    await sendContract(ctx, systemActor, d.manager, d.contractId);
    expect((await anon.get(`/public/contracts/${d.contractId}`)).status).toBe(404); // sent, not signed
    await acceptContract(ctx, systemActor, staffUser(d.call), d.contractId);
    expect((await anon.get(`/public/contracts/${d.contractId}`)).status).toBe(404); // accepted, not signed
    await signContract(ctx, systemActor, d.manager, d.contractId);

    const res = await anon.get(`/public/contracts/${d.contractId}`);
    expect(res.status).toBe(200);
    const c = await ctx.db('contracts').where({ id: d.contractId }).first();
    const partyA = JSON.parse(c.party_a_json);
    const partyB = JSON.parse(c.party_b_json);
    expect(res.text).toContain(c.number);
    expect(res.text).toContain(partyA.name);
    expect(res.text).toContain(partyB.name);
    if (partyB.creditCode) expect(res.text).toContain(partyB.creditCode);
    expect(res.text).toContain('¥100,000.01');
    expect(res.text).toContain('社区读书会');
    expect(res.text).toContain('[电话已隐去]');
    for (const m of await ctx.db('contract_milestones').where({ contract_id: d.contractId })) {
      expect(res.text).toContain(m.title);
      expect(res.text).toContain(m.due_date);
    }
    expect(res.text).toContain(`/public/contracts/${d.contractId}/contract.pdf`);
    // Nothing personal: no typed phone numbers, no contact person's phone, no addresses, no legal representatives' or contact persons' names.
    expect(res.text).not.toContain(PHONE);
    expect(res.text).not.toContain(LANDLINE);
    const secrets = [
      partyB.contactPhone,
      partyB.address,
      partyA.address,
      partyB.contactName,
      partyB.legalRepresentative,
    ].filter(Boolean);
    expect(secrets.length).toBe(5 - (partyB.address ? 0 : 1));
    for (const secret of secrets) expect(res.text).not.toContain(secret);
    // Linked from the public award notice.
    expect((await anon.get(`/awards/${d.awardId}`)).text).toContain(`/public/contracts/${d.contractId}`);
  });

  it('may be cached by anyone for a few minutes, but not when a signed-in user reads it (page and PDF)', async () => {
    const d = await draftContract(ctx);
    await sendContract(ctx, systemActor, d.manager, d.contractId);
    await acceptContract(ctx, systemActor, staffUser(d.call), d.contractId);
    await signContract(ctx, systemActor, d.manager, d.contractId);
    const anon = request(ctx.app);
    const { agent } = await loginAs(ctx, 'reviewer');
    for (const path of [`/public/contracts/${d.contractId}`, `/public/contracts/${d.contractId}/contract.pdf`]) {
      const publicRes = await anon.get(path);
      expect(publicRes.status).toBe(200);
      expect(publicRes.headers['cache-control']).toBe('public, max-age=300');
      const signedIn = await agent.get(path);
      expect(signedIn.status).toBe(200);
      expect(signedIn.headers['cache-control']).toContain('no-store');
      expect(signedIn.headers['cache-control']).not.toContain('public');
    }
  });

  it('is 404 for an unknown or malformed id', async () => {
    expect((await request(ctx.app).get('/public/contracts/999999')).status).toBe(404);
    expect((await request(ctx.app).get('/public/contracts/abc')).status).toBe(404);
  });
});
