import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { TestClock } from '../../src/shared/clock';
import { accessibilityProblems, startSite, type Site } from './browser';

// From a final award to a signed contract in a real browser: the 月河 award of the demo data passes
// its publicity period and is confirmed; the manager creates the contract from the award desk, adds
// a milestone row without JavaScript and sets the shares in percent, sends it; 绿荫 returns it once
// with a comment, then accepts; the manager signs and downloads the PDF, whose SHA-256 is the one
// shown on the page. The demo's signed contract and the one waiting for 同心 are explorable too.
const clock = new TestClock(new Date('2026-11-25T02:00:00.000Z'));
let site: Site;
beforeAll(async () => {
  site = await startSite(clock);
});
afterAll(async () => {
  await site?.close();
});

const checked = new Set<string>();
async function accessible(page: Page) {
  const kind = new URL(page.url()).pathname.replace(/\/\d+/g, '/:id');
  if (checked.has(kind)) return;
  checked.add(kind);
  expect(await accessibilityProblems(page)).toEqual([]);
}

async function submit(page: Page, name: string | RegExp) {
  const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).first().click()]);
  const problems = (await page.locator('.error-summary').allTextContents()).join(' ').trim();
  expect(`${response?.status()} ${problems}`).toBe('200 ');
}

test('final award -> contract drafted, returned, accepted, signed, PDF downloaded with the recorded hash', async () => {
  const base = site.baseUrl;
  const award = await site
    .db('awards as a')
    .join('calls as k', 'k.id', 'a.call_id')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .where('s.name', '月河街道')
    .first('a.id', 'a.publicity_ends_at');
  clock.set(new Date(new Date(award.publicity_ends_at).getTime() + 60_000));

  // The demo's contracts: the signed one with its hash, the one waiting for 同心社工.
  await site.as('org.tongxin', async (page) => {
    await page.goto(`${base}/my/contracts`);
    await accessible(page);
    expect(await page.getByRole('link', { name: 'DS-2026-0002' }).count()).toBe(1);
  });

  await site.as('manager.yuehe', async (page) => {
    await page.goto(`${base}/awards/${award.id}`);
    await submit(page, '确定中标/立项结果');
    await page.goto(`${base}/manage/awards`);
    await accessible(page);
    expect(await page.getByText(/距签订期限还有 30 天/).count()).toBe(1);
    await submit(page, /^生成合同/);
    expect(page.url()).toMatch(/\/contracts\/\d+\/edit$/);
    await accessible(page);
    // Add a row without JavaScript, then split 30 / 30 / 20 / 20 percent.
    await submit(page, '增加一行');
    await page.locator('#field-m4_title').fill('结项验收');
    await page.locator('#field-m4_due').fill(await page.locator('#field-periodEnd').inputValue());
    await page.locator('#field-m4_pass').fill('80');
    await page.getByLabel('按比例（%）').check();
    for (const [i, share] of ['30', '30', '20', '20'].entries())
      await page.locator(`#field-m${i + 1}_share`).fill(share);
    await submit(page, '保存草稿');
    expect(page.url()).toMatch(/\/contracts\/\d+$/);
    await accessible(page);
    expect(await page.locator('text=结项验收').count()).toBeGreaterThan(0);
    await submit(page, '发送给乙方确认');
  });
  const contract = await site.db('contracts').where({ award_id: award.id }).first();
  expect(contract.number).toBe('YH-2026-0001');
  expect(contract.status).toBe('sent');
  const org = await site.db('organizations').where({ id: contract.organization_id }).first('id');
  const staff = await site.db('users').where({ organization_id: org.id, role: 'org_staff' }).first('username');

  await site.as(staff.username, async (page) => {
    await page.goto(`${base}/contracts/${contract.id}`);
    await page.locator('#field-comment').fill('请将结项验收的交付成果写明。');
    await submit(page, '退回修改');
  });
  await site.as('manager.yuehe', async (page) => {
    await page.goto(`${base}/contracts/${contract.id}`);
    expect(await page.getByText('请将结项验收的交付成果写明。').count()).toBe(1);
    await page.goto(`${base}/contracts/${contract.id}/edit`);
    await page.locator('#field-m4_deliverables').fill('结项报告、服务对象满意度调查、财务决算。');
    await submit(page, '保存草稿');
    await submit(page, '发送给乙方确认');
  });
  await site.as(staff.username, async (page) => {
    await page.goto(`${base}/contracts/${contract.id}`);
    await submit(page, '确认合同（乙方签章）');
  });
  await site.as('manager.yuehe', async (page) => {
    await page.goto(`${base}/contracts/${contract.id}`);
    await submit(page, '签订合同（甲方签章）');
    expect(await page.getByText('履行中').count()).toBeGreaterThan(0);
    const hash = (await page.locator('code.hash').first().textContent())!.trim();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载正式合同（PDF）' }).click(),
    ]);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(hash);
    await page.goto(`${base}/contracts`);
    await accessible(page);
    expect(await page.getByRole('link', { name: 'YH-2026-0001' }).count()).toBe(1);
  });
});
