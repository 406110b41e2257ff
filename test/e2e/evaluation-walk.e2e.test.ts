import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { closePdfText, pdfPages } from '../helpers/pdf-text';
import { accessibilityProblems, startSite, visibleTextProblems, type Site } from './browser';

// A milestone's evaluation in a real browser, on the demo's DS-2026-0001 final milestone: 安心养老
// submits its report with a photo; the manager opens a citizen rating round and prints the QR page;
// a citizen on a phone-sized screen rates through the link (no sign-in; the page passes axe); the
// peer (同心社工) and the third party (reviewer.zhang) declare and score; the manager scores each
// indicator, closes, and downloads the assessment report, whose text and SHA-256 are checked.
let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await closePdfText();
  await site?.close();
});

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Clicks a submit button and expects the next page to be a 200 without an error summary. */
async function submit(page: Page, button: ReturnType<Page['locator']>) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  const problems = (await page.locator('.error-summary, .error-message').allTextContents()).join(' ').trim();
  expect(`${response?.status()} ${problems}`).toBe('200 ');
}

test('report with a photo -> citizen rates by the QR link on a phone -> peer and third party score -> the manager closes and downloads the assessment report', async () => {
  const base = site.baseUrl;
  const contract = await site.db('contracts').where({ number: 'DS-2026-0001' }).first('id');
  const reportPath = `${base}/contracts/${contract.id}/milestones/4/report`;
  const photo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-e2e-')), '结项活动照片.png');
  fs.writeFileSync(photo, PNG);

  await site.as('org.anxin', async (page) => {
    await page.goto(reportPath);
    await page.locator('[name=delivered_0]').fill('全年开展活动 98 场，结项报告、满意度调查与活动手册随附。');
    await page.locator('[name=peopleServed]').fill('512');
    await page.locator('[name=sessionsHeld]').fill('98');
    await page.locator('[name=selfScore]').fill('90');
    await page.locator('[name=selfComment]').fill('全年任务完成。');
    await page.locator('[name=files]').setInputFiles(photo);
    await submit(page, page.locator('button[name=intent][value=submit]'));
    expect(await page.getByText('结项活动照片.png').count()).toBeGreaterThan(0);
  });

  let link = '';
  await site.as('manager.dongshan', async (page) => {
    await page.goto(reportPath);
    const closesAt = new Date(Date.now() + 8 * 3600 * 1000 + 7 * 24 * 3600 * 1000).toISOString().slice(0, 16);
    await page.locator('[name=closesAt]').fill(closesAt);
    await submit(page, page.getByRole('button', { name: '开启群众评价' }));
    await page.getByRole('link', { name: '打印带二维码的评价页' }).click();
    expect(await page.locator('.rating-qr svg').count()).toBe(1);
    link = (await page.locator('.rating-qr code').textContent())!.trim();
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{22}$/);
    // Assign the peer and the third party.
    await page.goto(reportPath);
    await page.locator('#field-target_peer').selectOption({ label: '成都市温江区同心社会工作服务中心' });
    await submit(page, page.locator('form:has(#field-target_peer) button'));
    const zhang = await site.db('users').where({ username: 'reviewer.zhang' }).first('display_name');
    await page.locator('#field-target_third_party').selectOption({ label: zhang.display_name });
    await submit(page, page.locator('form:has(#field-target_third_party) button'));
  });

  // The citizen: a phone-sized screen, no account.
  const phone = await site.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const citizen = await phone.newPage();
  await citizen.goto(link);
  expect(await accessibilityProblems(citizen)).toEqual([]);
  const width = await citizen.evaluate('document.documentElement.scrollWidth');
  expect(width).toBeLessThanOrEqual(375);
  await citizen.getByLabel(/很满意/).check();
  await citizen.locator('[name=comment]').fill('活动很丰富');
  await submit(citizen, citizen.getByRole('button', { name: '提交评价' }));
  expect(await citizen.getByText('感谢您的评价').count()).toBe(1);
  await citizen.goto(link);
  await citizen.getByLabel(/一般/).check();
  const [again] = await Promise.all([
    citizen.waitForNavigation(),
    citizen.getByRole('button', { name: '提交评价' }).click(),
  ]);
  expect(again?.status()).toBe(409);
  expect(await citizen.getByText('本浏览器已对本项服务评价过').count()).toBe(1);
  expect(await visibleTextProblems(phone)).toEqual([]);
  await phone.close();

  await site.as('org.tongxin', async (page) => {
    await page.goto(reportPath);
    await page.locator('#decl-none').check();
    await submit(page, page.getByRole('button', { name: '提交声明' }));
    await page.locator('form[action$="assessor-score"] [name=score]').fill('86');
    await page.locator('form[action$="assessor-score"] [name=comment]').fill('组织规范。');
    await submit(page, page.locator('form[action$="assessor-score"] button[type=submit]'));
  });

  await site.as('reviewer.zhang', async (page) => {
    await page.goto(reportPath);
    await page.locator('#decl-none').check();
    await submit(page, page.getByRole('button', { name: '提交声明' }));
    const fields = page.locator('form[action$="assessor-score"] input[name^=score_]');
    for (let i = 0; i < (await fields.count()); i += 1) await fields.nth(i).fill(String(80 + i));
    await page.locator('form[action$="assessor-score"] [name=comment]').fill('现场核查台账完整。');
    await submit(page, page.locator('form[action$="assessor-score"] button[type=submit]'));
  });

  await site.as('manager.dongshan', async (page) => {
    await page.goto(reportPath);
    const fields = page.locator('form[action$="manager-score"] input[name^=score_]');
    expect(await fields.count()).toBeGreaterThan(0);
    for (let i = 0; i < (await fields.count()); i += 1) await fields.nth(i).fill('88.5');
    await page.locator('form[action$="manager-score"] [name=comment]').fill('结项任务完成。');
    await submit(page, page.getByRole('button', { name: '保存街道评分' }));
    expect(await page.getByText('活动很丰富').count()).toBe(1); // the citizen's comment, for staff
    await submit(page, page.getByRole('button', { name: '结束评估并固定结果' }));
    const shown = (await page.locator('code.hash').allTextContents()).map((s) => s.trim());
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /下载/ }).first().click(),
    ]);
    const file = await download.path();
    const bytes = fs.readFileSync(file!);
    expect(shown).toContain(crypto.createHash('sha256').update(bytes).digest('hex'));
    const text = (await pdfPages(bytes)).join('\n').replace(/\s+/g, '');
    for (const expected of ['评估报告', '群众评价', '评价指标分项得分', '结项活动照片.png', '第三方评估'])
      expect(text).toContain(expected);
  });
});
