import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { minimalPdf } from '../helpers/pdf-fixture';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ uploadMaxBytes: 64 * 1024 });
});
afterAll(() => ctx.close());

const PDF = minimalPdf();
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const storedFiles = async () => Number((await ctx.db('stored_files').count({ n: '*' }).first())?.n);

async function upload(
  agent: Agent,
  orgId: number,
  file: Buffer,
  name: string,
  kind = 'registration_certificate',
  withToken = true,
) {
  const token = withToken ? await csrfFrom(agent, `/organizations/${orgId}`) : 'not-the-token';
  return agent
    .post(`/organizations/${orgId}/documents`)
    .field('_csrf', token)
    .field('kind', kind)
    .attach('file', file, name);
}

describe('qualification documents (201/303)', () => {
  it('lets the organization staff upload a PDF, stored under a random name and audited', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    const res = await upload(agent, user.organization_id!, PDF, '登记证书.pdf');
    expect(res.status).toBe(303);
    const doc = await ctx
      .db('organization_documents as d')
      .join('stored_files as f', 'f.id', 'd.file_id')
      .where('d.organization_id', user.organization_id!)
      .first();
    expect(doc.original_name).toBe('登记证书.pdf');
    expect(doc.storage_key).toMatch(/^[0-9a-f]{48}$/);
    expect(fs.readFileSync(path.join(ctx.config.uploadDir, doc.storage_key))).toEqual(PDF);
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'organization.document_add', organization_id: user.organization_id })
        .first(),
    ).toBeDefined();
    const page = await agent.get(`/organizations/${user.organization_id}`);
    expect(page.text).toContain('登记证书.pdf');
  });

  it('serves the document as an attachment with nosniff, to its staff, a manager, an auditor and the administrator', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    await upload(agent, user.organization_id!, PDF, 'charter.pdf', 'charter');
    const doc = await ctx.db('organization_documents').where({ organization_id: user.organization_id }).first();
    const url = `/organizations/${user.organization_id}/documents/${doc.id}`;
    for (const reader of [
      agent,
      (await loginAs(ctx, 'manager')).agent,
      (await loginAs(ctx, 'auditor')).agent,
      (await loginAs(ctx, 'admin')).agent,
    ]) {
      const res = await reader.get(url).buffer(true);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-type']).toBe('application/pdf');
    }
  });
});

describe('refused uploads (413/422/403), nothing written', () => {
  let staff: { agent: Agent; orgId: number };
  beforeAll(async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    staff = { agent, orgId: user.organization_id! };
  });

  it('refuses a PNG renamed to .pdf', async () => {
    const before = await storedFiles();
    const res = await upload(staff.agent, staff.orgId, PNG, 'certificate.pdf');
    expect(res.status).toBe(422);
    expect(res.text).toContain('文件内容与扩展名不符');
    expect(await storedFiles()).toBe(before);
    expect(fs.readdirSync(ctx.config.uploadDir).length).toBe(before);
  });

  it('refuses a file over the size limit with 413', async () => {
    const before = await storedFiles();
    const big = Buffer.concat([PDF, Buffer.alloc(80 * 1024)]);
    const res = await upload(staff.agent, staff.orgId, big, 'big.pdf');
    expect(res.status).toBe(413);
    expect(res.text).toContain('文件过大');
    expect(await storedFiles()).toBe(before);
  });

  it('refuses an extension that is not allowed, and a missing file', async () => {
    const exe = await upload(staff.agent, staff.orgId, Buffer.from('MZ'), 'tool.exe');
    expect(exe.status).toBe(422);
    expect(exe.text).toContain('不支持此文件格式');
    const token = await csrfFrom(staff.agent, `/organizations/${staff.orgId}`);
    const none = await staff.agent
      .post(`/organizations/${staff.orgId}/documents`)
      .field('_csrf', token)
      .field('kind', 'charter');
    expect(none.status).toBe(422);
    expect(none.text).toContain('请选择要上传的文件');
  });

  it('refuses an unknown document kind, keeping the form', async () => {
    const res = await upload(staff.agent, staff.orgId, PDF, 'x.pdf', 'passport');
    expect(res.status).toBe(422);
    expect(res.text).toContain('请从列表中选择');
  });

  it('refuses an upload without the CSRF token', async () => {
    const before = await storedFiles();
    const res = await upload(staff.agent, staff.orgId, PDF, 'x.pdf', 'charter', false);
    expect(res.status).toBe(403);
    expect(await storedFiles()).toBe(before);
  });

  it('refuses staff of another organization: not found, not even the name', async () => {
    const other = await ctx.make.organization({ name: '别家机构' });
    const res = await upload(staff.agent, other.id, PDF, 'x.pdf');
    expect(res.status).toBe(404);
    const page = await staff.agent.get(`/organizations/${other.id}`);
    expect(page.status).toBe(404);
    expect(page.text).not.toContain('别家机构');
  });

  it('refuses a manager, an auditor and the administrator as uploaders', async () => {
    for (const role of ['manager', 'auditor', 'admin'] as const) {
      const { agent } = await loginAs(ctx, role);
      const token = await csrfFrom(agent, '/dashboard');
      const res = await agent
        .post(`/organizations/${staff.orgId}/documents`)
        .field('_csrf', token)
        .field('kind', 'charter')
        .attach('file', PDF, 'x.pdf');
      expect(res.status).toBe(403);
    }
  });

  it('refuses a suspended organization', async () => {
    const org = await ctx.make.organization({ status: 'suspended' });
    const { agent } = await loginAs(ctx, 'org_staff', { organization_id: org.id });
    const res = await upload(agent, org.id, PDF, 'x.pdf');
    expect(res.status).toBe(404);
  });
});

describe('document downloads, refused', () => {
  it('to a reviewer, an approver, another organization and the public', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    await upload(agent, user.organization_id!, PDF, 'secret.pdf');
    const doc = await ctx.db('organization_documents').where({ organization_id: user.organization_id }).first();
    const url = `/organizations/${user.organization_id}/documents/${doc.id}`;
    expect((await (await loginAs(ctx, 'reviewer')).agent.get(url)).status).toBe(403);
    expect((await (await loginAs(ctx, 'approver')).agent.get(url)).status).toBe(403);
    const other = await loginAs(ctx, 'org_staff');
    const res = await other.agent.get(url);
    expect(res.status).toBe(404);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect((await request(ctx.app).get(url)).status).toBe(303);
  });

  it("answers 404 for a forged document id of another organization's file", async () => {
    const a = await loginAs(ctx, 'org_staff');
    const b = await loginAs(ctx, 'org_staff');
    await upload(b.agent, b.user.organization_id!, PDF, 'b.pdf');
    const bDoc = await ctx.db('organization_documents').where({ organization_id: b.user.organization_id }).first();
    const res = await a.agent.get(`/organizations/${a.user.organization_id}/documents/${bDoc.id}`);
    expect(res.status).toBe(404);
  });

  it('sends staff to their own organization from /my/organization, and refuses other roles', async () => {
    const { agent, user } = await loginAs(ctx, 'org_staff');
    const res = await agent.get('/my/organization');
    expect(res.headers.location).toBe(`/organizations/${user.organization_id}`);
    expect((await (await loginAs(ctx, 'manager')).agent.get('/my/organization')).status).toBe(403);
  });
});
