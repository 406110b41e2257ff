import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { seedIfEmpty } from '../../src/db/seed';
import { createTestContext, type TestContext } from '../helpers/app';
import { signIn } from '../helpers/http';
import { closePdfText, pdfPages } from '../helpers/pdf-text';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ showErrorDetails: true });
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
  await seedIfEmpty({ db: ctx.db, config: ctx.config, clock: ctx.clock });
}, 60_000);
afterAll(async () => {
  await closePdfText();
  await ctx.close();
});

const binary = (res: import('superagent').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

it('lets the seeded auditor open every report page and download every format on first start', async () => {
  const agent = await signIn(ctx, 'auditor.wang', 'streetfund-demo');
  for (const report of ['register', 'funds', 'payments']) {
    const page = await agent.get(`/reports/${report}`);
    if (page.status !== 200)
      console.log(page.text.slice(page.text.indexOf('<main'), page.text.indexOf('<main') + 3000));
    expect(page.status).toBe(200);
    for (const format of ['xlsx', 'csv', 'pdf']) {
      const res = await agent.get(`/reports/${report}/export?format=${format}`).buffer(true).parse(binary);
      expect([report, format, res.status]).toEqual([report, format, 200]);
      expect(res.headers['content-disposition']).toMatch(/filename\*=UTF-8''/);
      const body = res.body as Buffer;
      if (format === 'csv') expect(body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      if (format === 'xlsx') {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(body as unknown as ArrayBuffer);
        expect(wb.worksheets.length).toBeGreaterThan(1);
      }
      if (format === 'pdf') expect((await pdfPages(body)).join('\n').length).toBeGreaterThan(10);
    }
  }
  const contract = await ctx.db('contracts').where({ number: 'DS-2026-0001' }).first('id');
  const dossier = await agent.get(`/reports/contracts/${contract.id}/dossier.pdf`).buffer(true).parse(binary);
  expect(dossier.status).toBe(200);
  const text = (await pdfPages(dossier.body as Buffer)).join('\n');
  expect(text).toContain('DS-2026-0001');
  expect(text).toContain('首期款支付依据');
  if (process.env.DOSSIER_OUT) fs.writeFileSync(process.env.DOSSIER_OUT, dossier.body as Buffer);
  // Events as whole sentences, naming what was done to which record, not "起草了合同 …".
  expect(text).not.toContain('…');
  expect(text).toMatch(/起草了合同\s*DS-2026-0001/);
  // Usernames whole on one line, and every payment with its voucher, proposer and approver.
  expect(text).toContain('manager.dongshan');
  expect(text).toContain('JN-ZF-2026-0318');
  expect(text).toMatch(/经办人 \/ 审批人/);
  const findings = await agent.get('/findings');
  expect(findings.text).toContain('年度专项资金使用进度');
}, 60_000);
