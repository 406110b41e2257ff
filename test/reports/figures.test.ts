import { reconcile } from '../../src/modules/funds';
import { formatMoney } from '../../src/shared/money';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';
import { closePdfText, pdfPages } from '../helpers/pdf-text';
import { AWKWARD, binary, ledgerOracle, paidContract, parseCsv, readXlsx } from './fixture';

let ctx: TestContext;
let c: Awaited<ReturnType<typeof paidContract>>;
let agent: Awaited<ReturnType<typeof loginAs>>['agent'];
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
  c = await paidContract(ctx);
  ({ agent } = await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] }));
}, 60_000);
afterAll(async () => {
  await closePdfText();
  await ctx.close();
});

const yuan = (fen: number) => fen / 100;
const get = (path: string) => agent.get(path).buffer(true).parse(binary);
const street = () => c.call.streetOfficeId;

it('computes the fund report per source exactly as the ledger adds up, and the balance rows agree', async () => {
  expect(await reconcile(ctx.db, street())).toEqual([]);
  const oracle = await ledgerOracle(ctx, street());
  expect(Object.keys(oracle).sort()).toEqual(Object.keys(AWKWARD).sort());
  const res = await get(`/reports/funds/export?street=${street()}&year=2026&format=xlsx`);
  expect(res.status).toBe(200);
  const wb = await readXlsx(res.body as Buffer);
  const ws = wb.worksheets[0];
  expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  // Rows 2..5: the four sources in FUND_SOURCES order; row 6: the total.
  const order = ['fiscal', 'lottery', 'development_fund', 'donation'] as const;
  order.forEach((s, i) => {
    const row = ws.getRow(2 + i);
    const o = oracle[s];
    expect([row.getCell(2).value, row.getCell(3).value, row.getCell(4).value, row.getCell(5).value]).toEqual([
      yuan(o.allocated),
      yuan(o.reserved),
      yuan(o.committed),
      yuan(o.paid),
    ]);
    expect(row.getCell(6).value).toBe(yuan(o.allocated - o.reserved - o.committed - o.paid));
    expect(typeof row.getCell(2).value).toBe('number');
    expect(row.getCell(2).numFmt).toBe('#,##0.00');
  });
  const total = ws.getRow(6);
  const sum = (k: 'allocated' | 'paid') => order.reduce((a, s) => a + oracle[s][k], 0);
  expect(Math.round(Number(total.getCell(2).value) * 100)).toBe(sum('allocated'));
  expect(Math.round(Number(total.getCell(5).value) * 100)).toBe(sum('paid'));
  // The sum of the cells, in fen, is the total row to the fen.
  expect(order.reduce((a, _s, i) => a + Math.round(Number(ws.getRow(2 + i).getCell(5).value) * 100), 0)).toBe(
    Math.round(Number(total.getCell(5).value) * 100),
  );
  // The parameters sheet names who, the scope and the ledger check.
  const params = wb.worksheets[wb.worksheets.length - 1];
  const text = params.getSheetValues().flat().join(' ');
  expect(text).toContain('报表合计与总账一致');
  expect(text).toMatch(/测试街道/);
});

it('totals the by-category and by-organization tables to the fen: page, spreadsheet, CSV and PDF', async () => {
  const oracle = await ledgerOracle(ctx, street());
  const paid = Object.values(oracle).reduce((a, o) => a + o.paid, 0);
  const wb = await readXlsx(
    (await get(`/reports/funds/export?street=${street()}&year=2026&format=xlsx`)).body as Buffer,
  );
  for (const name of ['按目录类别', '按社会组织']) {
    const ws = wb.getWorksheet(name)!;
    const headers = (ws.getRow(1).values as unknown[]).slice(1);
    const total = ws.getRow(ws.rowCount);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.font?.bold).toBe(true);
    for (const h of ['已承诺（元）', '已支付（元）']) {
      const col = headers.indexOf(h) + 1;
      let sum = 0;
      for (let i = 2; i < ws.rowCount; i++) sum += Math.round(Number(ws.getRow(i).getCell(col).value) * 100);
      expect([name, h, Math.round(Number(total.getCell(col).value) * 100)]).toEqual([name, h, sum]);
    }
    expect(Math.round(Number(total.getCell(headers.indexOf('已支付（元）') + 1).value) * 100)).toBe(paid);
  }
  const page = await agent.get(`/reports/funds?street=${street()}&year=2026`);
  const tables = (id: string) => page.text.slice(page.text.indexOf(`id="${id}"`)).split('</table>')[0];
  for (const id of ['h-category', 'h-organization'])
    expect(tables(id)).toMatch(
      new RegExp(
        `<tfoot><tr class="total"><th scope="row">合计</th>.*${formatMoney(paid).replace(/[.$¥]/g, '\\$&')}</td></tr></tfoot>`,
      ),
    );
  const csv = ((await get(`/reports/funds/export?street=${street()}&year=2026&format=csv`)).body as Buffer).toString(
    'utf8',
  );
  const section = (name: string) => csv.split(`# ${name}`)[1].split('\r\n\r\n')[0].trim().split('\r\n');
  for (const name of ['按目录类别', '按社会组织']) expect(section(name).pop()).toMatch(/^合计,/);
  const pdf = (
    await pdfPages((await get(`/reports/funds/export?street=${street()}&year=2026&format=pdf`)).body as Buffer)
  ).join('\n');
  expect(pdf.split('按社会组织')[1].split('逐月支付')[0]).toContain('合计');
});

it('puts the ledger check on the parameters sheet of the register and the journal too', async () => {
  for (const report of ['register', 'payments']) {
    const wb = await readXlsx(
      (await get(`/reports/${report}/export?street=${street()}&year=2026&format=xlsx`)).body as Buffer,
    );
    const params = wb.worksheets[wb.worksheets.length - 1];
    const rows = params.getSheetValues().filter(Boolean) as unknown[][];
    expect([report, rows.find((r) => r[1] === '账务核对')?.[2]]).toEqual([
      report,
      '报表合计与总账一致：总账分录与余额表两种独立计算完全相等（2026 年度）。',
    ]);
    expect(rows.some((r) => r[1] === '!')).toBe(false);
    const csv = (await get(`/reports/${report}/export?street=${street()}&year=2026&format=csv`)).body as Buffer;
    expect(csv.toString('utf8')).toContain('# 账务核对,报表合计与总账一致');
  }
});

it('shows the payments of the register (paid to date, outstanding) to the fen, with a total row equal to the sum', async () => {
  const amount = Number(
    (await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'current' }).first('amount_fen'))
      .amount_fen,
  );
  const paidRows: { kind: string; amount_fen: number }[] = await ctx
    .db('fund_entries')
    .where({ contract_id: c.contractId })
    .whereIn('kind', ['payment', 'payment_reversal']);
  const paid = paidRows.reduce((a, r) => a + (r.kind === 'payment' ? 1 : -1) * Number(r.amount_fen), 0);
  const res = await get(`/reports/register/export?street=${street()}&year=2026&format=xlsx`);
  const ws = (await readXlsx(res.body as Buffer)).worksheets[0];
  const headers = (ws.getRow(1).values as unknown[]).slice(1);
  const col = (name: string) => headers.indexOf(name) + 1;
  const row = ws.getRow(2);
  expect(row.getCell(col('合同金额（元）')).value).toBe(yuan(amount));
  expect(row.getCell(col('已支付（元）')).value).toBe(yuan(paid));
  expect(row.getCell(col('未支付（元）')).value).toBe(yuan(amount - paid));
  expect(row.getCell(col('签订日期')).value).toBeInstanceOf(Date);
  expect(ws.getRow(3).getCell(col('已支付（元）')).value).toBe(yuan(paid)); // the total row of one contract
  expect(ws.getRow(3).font?.bold).toBe(true);

  const csv = await get(`/reports/register/export?street=${street()}&year=2026&format=csv`);
  const body = csv.body as Buffer;
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(csv.headers['content-type']).toMatch(/text\/csv; charset=utf-8/);
  const rows = parseCsv(body.subarray(3).toString('utf8'));
  expect(rows[0][0]).toBe('合同编号');
  expect(rows[1][rows[0].indexOf('已支付（元）')]).toBe((paid / 100).toFixed(2));
  expect(rows[1][rows[0].indexOf('未支付（元）')]).toBe(((amount - paid) / 100).toFixed(2));
});

it('lists every release and reversal in the journal, per source, totalling what the ledger paid', async () => {
  const oracle = await ledgerOracle(ctx, street());
  const paid = Object.values(oracle).reduce((a, f) => a + f.paid, 0);
  const count = Number((await ctx.db('payments').where({ street_office_id: street() }).count({ n: '*' }).first())!.n);
  expect(count).toBe(3);
  const ws = (
    await readXlsx((await get(`/reports/payments/export?street=${street()}&year=2026&format=xlsx`)).body as Buffer)
  ).worksheets[0];
  expect(ws.rowCount).toBe(1 + count + 1);
  const headers = (ws.getRow(1).values as unknown[]).slice(1);
  const col = (name: string) => headers.indexOf(name) + 1;
  const fen = (r: number, name: string) => Math.round(Number(ws.getRow(r).getCell(col(name)).value) * 100);
  let sum = 0;
  for (let r = 2; r <= count + 1; r++) sum += fen(r, '金额（元）');
  expect(sum).toBe(paid);
  expect(fen(ws.rowCount, '金额（元）')).toBe(paid);
  // Per source, the journal's total is the ledger's paid of that source.
  for (const [s, name] of [
    ['fiscal', '财政资金'],
    ['lottery', '福彩公益金'],
    ['development_fund', '专项发展基金'],
    ['donation', '社会捐赠'],
  ] as const)
    expect([s, fen(ws.rowCount, name)]).toEqual([s, oracle[s].paid]);
  expect(ws.getRow(2).getCell(col('审批时间')).value).toBeInstanceOf(Date);
  expect(ws.getRow(4).getCell(col('类型')).value).toBe('追回');
  expect(fen(4, '金额（元）')).toBeLessThan(0);
  expect(String(ws.getRow(2).getCell(col('账务分录')).value)).toMatch(/^#\d+/);
  expect(ws.getRow(3).getCell(col('评分')).value).toBe(87.12);
});

it('shows the amount per source and the proposal time on the journal page and in its PDF, as the spreadsheet does', async () => {
  const oracle = await ledgerOracle(ctx, street());
  const rows = await ctx.db('payments').where({ street_office_id: street() }).orderBy('id');
  const beijing = (iso: string) =>
    new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  const page = await agent.get(`/reports/payments?street=${street()}&year=2026`);
  expect(page.status).toBe(200);
  for (const h of ['财政资金', '福彩公益金', '专项发展基金', '社会捐赠', '提出时间'])
    expect(page.text).toContain(`<th scope="col">${h}</th>`);
  expect(page.text).toContain(beijing(rows[0].proposed_at));
  const foot = page.text.slice(page.text.indexOf('<tfoot>'), page.text.indexOf('</tfoot>'));
  for (const s of ['fiscal', 'lottery', 'development_fund', 'donation'] as const)
    expect(foot).toContain(formatMoney(oracle[s].paid));
  const pdfBytes = (await get(`/reports/payments/export?street=${street()}&year=2026&format=pdf`)).body as Buffer;
  const pdf = (await pdfPages(pdfBytes)).join('\n');
  expect(pdf).toContain('各来源金额');
  expect(pdf).toContain('提出（经办');
  expect(pdf).toMatch(/福彩公益金 3,500\.00/);
  expect(pdf).toContain(beijing(rows[0].proposed_at));
  expect(pdf).toContain(formatMoney(oracle.donation.paid).replace('¥', ''));
});

it('names a mismatch between the balance rows and the ledger in red on the page, the PDF and the spreadsheet', async () => {
  // A balance row out of step with its entries (what the check is for): one fen more allocated.
  await ctx
    .db('fund_accounts')
    .where({ street_office_id: street(), year: 2026, source: 'donation' })
    .increment('allocated_fen', 1);
  try {
    const page = await agent.get(`/reports/funds?street=${street()}&year=2026`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/class="mismatch" role="alert"/);
    expect(page.text).toContain('社会捐赠');
    expect(page.text).toMatch(/不一致：测试街道\d+ 2026 年 社会捐赠 的已下达，总账分录合计 ¥0\.01，余额表 ¥0\.02。/);
    const pdf = (
      await pdfPages((await get(`/reports/funds/export?street=${street()}&year=2026&format=pdf`)).body as Buffer)
    ).join('\n');
    expect(pdf).toContain('不一致');
    expect(pdf).toContain('报表合计与总账不一致');
    const wb = await readXlsx(
      (await get(`/reports/funds/export?street=${street()}&year=2026&format=xlsx`)).body as Buffer,
    );
    const donation = wb.worksheets[0].getRow(5);
    expect(donation.getCell(9).value).toBe('不一致');
    expect(donation.font?.color?.argb).toBe('FFC00000');
    // The register's and the journal's parameters sheets name the same difference, in red.
    for (const report of ['register', 'payments']) {
      const other = await readXlsx(
        (await get(`/reports/${report}/export?street=${street()}&year=2026&format=xlsx`)).body as Buffer,
      );
      const params = other.worksheets[other.worksheets.length - 1];
      const rows = params.getSheetValues().filter(Boolean) as unknown[][];
      expect(rows.find((r) => r[1] === '账务核对')?.[2]).toBe('报表合计与总账不一致：发现 1 处差异，见下列红色条目。');
      const alert = rows.findIndex((r) => r[1] === '!');
      expect(rows[alert][2]).toMatch(/社会捐赠 的已下达，总账分录合计 ¥0\.01，余额表 ¥0\.02/);
      expect(params.getRow(alert + 1).font?.color?.argb).toBe('FFC00000');
    }
  } finally {
    await ctx
      .db('fund_accounts')
      .where({ street_office_id: street(), year: 2026, source: 'donation' })
      .decrement('allocated_fen', 1);
  }
});

it('writes every download to the audit trail with who, what and the scope', async () => {
  const events = await ctx.db('audit_events').where({ action: 'report.download' }).orderBy('id');
  expect(events.length).toBeGreaterThanOrEqual(6);
  const all = events.map((e) => JSON.parse(e.after_json));
  const last = all.filter((a) => a.report === 'funds').pop();
  // Every download names its ledger check, not only the fund report's (the mismatch test made one).
  const journalChecks = all.filter((a) => a.report === 'payments').map((a) => a.ledgerCheck);
  expect(journalChecks).toContain(1);
  expect(journalChecks.every((c) => c === 'ok' || c === 1)).toBe(true);
  expect(last).toMatchObject({
    report: 'funds',
    format: 'xlsx',
    street: street(),
    streetOfficeIds: [street()],
    period: { kind: 'year', year: 2026 },
  });
  expect(events[events.length - 1].actor_role).toBe('auditor');
});

it('uses Content-Disposition with a Chinese filename* and an ASCII fallback', async () => {
  const res = await get(`/reports/funds/export?street=${street()}&year=2026&format=csv`);
  expect(res.headers['content-disposition']).toMatch(
    /^attachment; filename="fund-report-street\d+-2026\.csv"; filename\*=UTF-8''%E4%B8%93%E9%A1%B9/,
  );
});

it('puts the contract, its versions, milestones, evaluations, payments, findings and hashed audit events in the dossier PDF', async () => {
  const { recordFinding } = await import('../../src/modules/reports/findings');
  const user = {
    id: 0,
    username: 'x',
    displayName: 'x',
    role: 'auditor' as const,
    streetOfficeId: null,
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: [street()],
  };
  const auditorRow = await ctx.db('users').where({ role: 'auditor' }).first('id');
  await recordFinding(
    ctx,
    { userId: auditorRow.id, label: 'auditor', role: 'auditor', ip: null, requestId: null },
    { ...user, id: Number(auditorRow.id) },
    {
      subject_type: 'contract',
      subject_id: c.contractId,
      street: undefined,
      year: undefined,
      title: '追回依据',
      body: '请说明追回三分之一的依据。',
    },
  );
  const res = await get(`/reports/contracts/${c.contractId}/dossier.pdf`);
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toMatch(/filename\*=UTF-8''%E5%90%88%E5%90%8C%E6%A1%A3%E6%A1%88/);
  const text = (await pdfPages(res.body as Buffer)).join('\n');
  for (const part of [
    '一、合同',
    '二、合同版本',
    '三、付款节点',
    '五、评估',
    '87.12',
    '六、支付',
    '追回',
    '-¥5,000.00',
    '已支付',
    '七、审计意见',
    '追回依据',
    '八、审计日志',
    '代表甲方签订了合同',
    '批准了付款',
  ])
    expect([part, text.includes(part)]).toEqual([part, true]);
  expect(text).not.toMatch(/\b(contract|payment|finding)\.[a-z_]+/); // sentences, never action codes
  // Amounts through the project's money formatter: thousands separated, never ¥50000.01.
  const amount = Number(
    (await ctx.db('contract_versions').where({ contract_id: c.contractId, status: 'current' }).first('amount_fen'))
      .amount_fen,
  );
  expect(amount).toBeGreaterThan(100_000);
  expect(text).toContain(formatMoney(amount));
  expect(text).not.toMatch(/¥\d{4,}/);
  const last = await ctx
    .db('audit_events')
    .where({ subject_type: 'contract', subject_id: String(c.contractId), action: 'contract.sign' })
    .first('hash');
  expect(text.replace(/\s/g, '')).toContain(last.hash);
  const event = await ctx
    .db('audit_events')
    .where({ action: 'report.download', subject_type: 'contract', subject_id: String(c.contractId) })
    .first();
  expect(JSON.parse(event.after_json)).toMatchObject({ report: 'dossier', format: 'pdf' });
});
