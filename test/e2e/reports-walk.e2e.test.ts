import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { TestClock } from '../../src/shared/clock';
import { accessibilityProblems, startSite, type Site } from './browser';

// The auditor of the demo data, on first start: opens 审计报表 from the navigation, each report's
// page (axe-clean), downloads each report in each format (a real .xlsx, a CSV with its BOM, a PDF),
// the contract dossier from the register, verifies the audit chain (the count and head hash it shows
// are the chain's; the noted head is checked again after later events), and records a finding that
// 东山街道's manager answers.
const clock = new TestClock(new Date('2026-11-25T02:00:00.000Z'));
let site: Site;
beforeAll(async () => {
  site = await startSite(clock);
});
afterAll(async () => {
  await site?.close();
});

let noted: { count: number; head: string };

async function download(page: Page, link: ReturnType<Page['getByRole']>) {
  const [d] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(file!) };
}

test('the auditor downloads every report in every format and the dossier, verifies the chain; a finding is recorded and answered', async () => {
  await site.as('auditor.wang', async (page) => {
    await page.getByRole('link', { name: '审计报表' }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    for (const title of ['合同台账', '专项资金报告', '支付明细']) {
      await page.goto(`${site.baseUrl}/reports`);
      await page.getByRole('link', { name: title }).click();
      await page.getByLabel('年度', { exact: true }).fill('2026');
      await page.getByRole('button', { name: '查看' }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      expect(await accessibilityProblems(page)).toEqual([]);
      for (const [label, ext, magic] of [
        ['Excel（.xlsx）', 'xlsx', 'PK'],
        ['CSV', 'csv', '\ufeff'],
        ['PDF', 'pdf', '%PDF'],
      ] as const) {
        const d = await download(page, page.getByRole('link', { name: label, exact: true }));
        expect(d.name).toBe(`${title}-全部街道-2026.${ext}`);
        expect(d.bytes.subarray(0, magic === '\ufeff' ? 3 : magic.length).toString('utf8')).toBe(magic);
      }
    }
    await page.goto(`${site.baseUrl}/reports/funds?year=2026`);
    expect(await page.getByText('报表合计与总账一致').count()).toBe(1);

    await page.goto(`${site.baseUrl}/reports/register?year=2026`);
    const dossier = await download(page, page.getByRole('link', { name: /合同档案 PDF DS-2026-0001/ }));
    expect(dossier.name).toBe('合同档案-DS-2026-0001.pdf');
    expect(dossier.bytes.subarray(0, 4).toString()).toBe('%PDF');

    // A bad year is a message on the form, not an error page.
    await page.getByLabel('年度', { exact: true }).fill('1999');
    await page.getByRole('button', { name: '查看' }).click();
    expect(await page.locator('.error-summary').textContent()).toContain('年度应在 2000 至 2100 之间。');
    expect(await accessibilityProblems(page)).toEqual([]);

    // The chain, verified from the audit trail as the auditor: the figures shown are the chain's.
    await page.getByRole('link', { name: '审计日志', exact: true }).click();
    await page.getByRole('link', { name: '核验审计链' }).click();
    const chain = await site.db('audit_chain_head').where({ id: 1 }).first('last_event_id', 'last_hash');
    const count = Number(chain.last_event_id);
    expect(await page.getByRole('status').first().textContent()).toBe(`审计链完整：共 ${count} 条事件，全部核验通过。`);
    const fact = (name: string) => page.locator('dl.facts div').filter({ hasText: name }).locator('dd');
    expect(await fact('已核验事件条数').textContent()).toBe(String(count));
    const head = (await fact('链头哈希').textContent())!.trim();
    expect(head).toBe(chain.last_hash);
    expect(await accessibilityProblems(page)).toEqual([]);
    noted = { count, head };
    // A head that is not the chain's is named as such, in red.
    await page.getByLabel(/事件编号/).fill(String(count));
    await page.getByLabel('链头哈希').fill('0'.repeat(64));
    await page.getByRole('button', { name: '核对' }).click();
    expect(await page.getByRole('alert').textContent()).toContain(`第 ${count} 条事件的哈希不同`);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`${site.baseUrl}/findings`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('link', { name: '记录审计意见' }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    const contract = await site.db('contracts').where({ number: 'DS-2026-0001' }).first('id');
    await page.getByLabel('合同', { exact: true }).check();
    await page.getByLabel(/合同或支付编号/).fill(String(contract.id));
    await page.getByLabel('标题').fill('评估材料完整性');
    await page.getByLabel('审计意见').fill('请补充中期评估的签到表原件。');
    await page.getByRole('button', { name: '记录' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('评估材料完整性');
    expect(await accessibilityProblems(page)).toEqual([]);
  });
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${site.baseUrl}/findings`);
    await page.getByRole('link', { name: '评估材料完整性' }).click();
    await page.getByLabel('答复', { exact: true }).fill('签到表原件已补充归档。');
    await page.getByRole('button', { name: '提交答复' }).click();
    expect(await page.getByText('签到表原件已补充归档。').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
  });
  // Later, with the finding and its answer written since: the trail up to the noted head is unchanged.
  await site.as('auditor.wang', async (page) => {
    await page.goto(`${site.baseUrl}/audit/verify`);
    await page.getByLabel(/事件编号/).fill(String(noted.count));
    await page.getByLabel('链头哈希').fill(noted.head);
    await page.getByRole('button', { name: '核对' }).click();
    expect(await page.getByRole('status').first().textContent()).toBe(
      `审计链经过该检查点：第 ${noted.count} 条事件的哈希完全一致。`,
    );
    const now = await site.db('audit_chain_head').where({ id: 1 }).first('last_event_id');
    expect(Number(now.last_event_id)).toBeGreaterThan(noted.count);
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});
