import crypto from 'node:crypto';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { signIn, type Agent } from '../helpers/http';
import { pdfPages } from '../helpers/pdf-text';
import { signedContract } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const download = async (agent: Agent | ReturnType<typeof request.agent>, path: string) =>
  (await agent.get(path).buffer(true).parse(binary)) as request.Response & { body: Buffer };

it('serves the signed contract PDF whose SHA-256 was recorded, with the Chinese text extractable and the font embedded', async () => {
  // Party B's contact has a personal mobile number: in the signed PDF, not in the public one.
  const c = await signedContract(ctx, {}, async (award) => {
    await ctx
      .db('organizations')
      .where({ id: award.call.bids[0].organizationId })
      .update({ contact_person: '王小明', contact_phone: '13912345678' });
  });
  const contract = await ctx.db('contracts').where({ id: c.contractId }).first();
  const partyA = JSON.parse(contract.party_a_json);
  const partyB = JSON.parse(contract.party_b_json);
  const staff = await signIn(ctx, c.call.bids[0].staff.username);
  const res = await download(staff, `/contracts/${c.contractId}/contract.pdf`);
  expect(res.status).toBe(200);
  expect(crypto.createHash('sha256').update(res.body).digest('hex')).toBe(contract.pdf_sha256);
  expect(c.sha256).toBe(contract.pdf_sha256);
  expect(res.body.toString('latin1')).toMatch(/\/FontFile2 \d+ 0 R/);
  const text = (await pdfPages(res.body)).join('\n').replace(/\s+/g, '');
  expect(text).toContain(contract.number);
  expect(text).toContain(partyA.name);
  expect(text).toContain(partyB.name);
  expect(text).toContain('壹拾万元零壹分'); // ¥100,000.01
  expect(text).toContain('首期款');
  expect(text).toContain('中期评估');
  expect(text).toContain('末期评估');
  expect(text).toContain('13912345678');

  // The public version: redacted (no personal phone), signed only, nothing of a draft.
  const pub = await download(request.agent(ctx.app), `/public/contracts/${c.contractId}/contract.pdf`);
  expect(pub.status).toBe(200);
  const pubText = (await pdfPages(pub.body)).join('\n');
  expect(pubText.replace(/\s+/g, '')).toContain(contract.number);
  expect(pubText).not.toContain('13912345678');
}, 30_000);
