import type { Page } from 'playwright-core';
import { TestClock } from '../../src/shared/clock';
import { accessibilityProblems, startSite, type Site } from './browser';
import { minimalPdf } from '../helpers/pdf-fixture';

// The whole middle of the purchase chain in a real browser, with a clock the test moves past the
// bid deadline and the end of publicity: two organizations bid, the manager opens the bids, two
// reviewers score, the award is published, an objection is lodged and rejected, the award is final.
const clock = new TestClock(new Date('2026-11-25T02:00:00.000Z'));
let site: Site;
beforeAll(async () => {
  site = await startSite(clock);
});
afterAll(async () => {
  await site?.close();
});

const PDF = minimalPdf('1.4', 'e2e');
const CALL_TITLE = '2026年东山街道居家养老上门服务项目';

/** Each kind of page is checked once (axe takes seconds a page): the path with its ids as ':id'. */
const checked = new Set<string>();
async function accessible(page: Page) {
  const kind = new URL(page.url()).pathname.replace(/\/\d+/g, '/:id');
  if (checked.has(kind)) return;
  checked.add(kind);
  expect(await accessibilityProblems(page)).toEqual([]);
}

/** Clicks a submit button, waits for the page the POST redirects to, and expects it succeeded. */
async function submit(page: Page, name: string | RegExp) {
  const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
  const problems = (await page.locator('.error-summary').allTextContents()).join(' ').trim();
  expect(`${response?.status()} ${problems}`).toBe('200 ');
}

test('two bids, opening, scoring, publicity, a rejected objection, and a final award', async () => {
  const base = site.baseUrl;
  const call = await site.db('calls').where({ title: CALL_TITLE }).first();
  expect(call.status).toBe('published');

  // 1. Two organizations bid before the deadline.
  for (const [username, price] of [
    ['org.anxin', '320000'],
    ['org.tongxin', '335000'],
  ]) {
    await site.as(username, async (page) => {
      await page.goto(`${base}/calls/${call.id}/bids/new`);
      await accessible(page);
      // 安心 has a draft from the demo data (the page is then its edit form): it is completed the same way.
      await page.locator('#field-servicePlan').fill('为辖区高龄独居老人提供助餐、助洁、助浴、助医上门服务。');
      await page.locator('#field-staffing').fill('项目负责人1名，持证社工3名，护理员12名。');
      await page.locator('#field-schedule').fill('第1个月建档评估，第2—12个月上门服务。');
      await page.locator('#field-expectedOutcomes').fill('服务不少于12000人次，满意度不低于90%。');
      await page.locator('#field-price').fill(price);
      await page.locator('#field-matchingFunds').fill('');
      for (const input of await page.locator('input[id^="field-line"]').all()) await input.fill('');
      await page.locator('#field-line1Item').fill('服务人员劳务费');
      await page.locator('#field-line1Amount').fill(price);
      await page
        .locator('#field-proposal')
        .setInputFiles({ name: '项目方案书.pdf', mimeType: 'application/pdf', buffer: PDF });
      await submit(page, /^(提交投标书|保存修改并重新提交)$/);
      expect(page.url()).toMatch(/\/bids\/[0-9a-f]{16}$/);
      expect((await page.locator('.error-summary').allTextContents()).join(' ')).toBe('');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(CALL_TITLE);
      expect(await page.getByText('已提交').count()).toBeGreaterThan(0);
      await accessible(page);
    });
  }
  const bids = await site
    .db('bids')
    .where({ 'bids.call_id': call.id, 'bids.status': 'submitted' })
    .join('organizations as o', 'o.id', 'bids.organization_id')
    .select('bids.id', 'bids.ref', 'o.name');
  expect(bids).toHaveLength(2);

  // 2. After the deadline the manager opens the bids and puts two reviewers on the panel.
  clock.set(new Date(new Date(call.closes_at).getTime() + 60_000));
  const reviewers = await site
    .db('users')
    .whereIn('username', ['reviewer.zhang', 'reviewer.li'])
    .orderBy('username', 'desc')
    .select('id', 'username');
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${base}/reviews/calls/${call.id}`);
    await accessible(page);
    await submit(page, '开标');
    for (const r of reviewers) {
      await page.locator('#field-reviewerId').selectOption(String(r.id));
      await submit(page, '加入专家组');
    }
    await accessible(page);
  });

  // 3. Each reviewer declares no conflict and scores both bids; 安心 scores higher.
  for (const r of reviewers) {
    for (const bid of bids) {
      await site.as(r.username, async (page) => {
        await page.goto(`${base}/reviews/calls/${call.id}/bids/${bid.ref}`);
        await accessible(page);
        await page.locator('#field-decision').check();
        await submit(page, '提交申报');
        const score = bid.name.includes('安心') ? '90' : '78';
        for (const input of await page.locator('input[id^="field-score_"]').all()) await input.fill(score);
        for (const input of await page.locator('textarea[id^="field-comment_"]').all())
          await input.fill('方案具体可行。');
        await submit(page, '保存评分');
        await accessible(page);
      });
    }
  }
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${base}/reviews/calls/${call.id}`);
    await submit(page, '结束评分');
    expect((await site.db('calls').where({ id: call.id }).first()).scoring_closed_at).toBeTruthy();
  });

  // 4. The manager proposes the award of the top-ranked bid from the award desk.
  let awardUrl = '';
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${base}/manage/awards`);
    await accessible(page);
    await page.getByRole('link', { name: new RegExp(`拟定结果.*${CALL_TITLE}`) }).click();
    await page.waitForURL(/\/award\/new$/);
    await accessible(page);
    // The reason for passing over appears only while a lower-ranked bid is chosen.
    const reasons = page.getByLabel(/^不选 .+ 的理由$/);
    await expect(reasons.count()).resolves.toBe(1);
    await expect(reasons.isVisible()).resolves.toBe(false);
    const radios = page.getByRole('radio');
    await radios.last().check();
    await expect(reasons.isVisible()).resolves.toBe(true);
    await radios.first().check();
    await expect(reasons.isVisible()).resolves.toBe(false);
    await submit(page, '发布拟中标结果公示');
    expect(page.url()).toMatch(/\/awards\/\d+$/);
    awardUrl = page.url();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(CALL_TITLE);
    await accessible(page);
  });
  expect((await site.db('calls').where({ id: call.id }).first()).status).toBe('publicity');

  // The notice is public: anyone can read it without signing in.
  await site.as(null, async (page) => {
    await page.goto(awardUrl);
    expect(await page.getByText('南京市江宁区安心养老服务中心').count()).toBeGreaterThan(0);
    expect(await page.getByText('90.00').count()).toBeGreaterThan(0);
    await accessible(page);
    await page.goto(`${base}/awards`);
    await accessible(page);
  });

  // 5. The other bidder lodges an objection with evidence during publicity.
  let objectionUrl = '';
  await site.as('org.tongxin', async (page) => {
    await page.goto(awardUrl);
    await page.getByRole('link', { name: '提出质疑' }).click();
    await page.waitForURL(/\/objections\/new$/);
    await accessible(page);
    await page.getByLabel('质疑事项和理由').fill('中标单位的护理员人数与其登记材料不符。');
    await page
      .locator('#field-files')
      .setInputFiles({ name: '证明材料.pdf', mimeType: 'application/pdf', buffer: PDF });
    await submit(page, '提交质疑');
    expect(page.url()).toMatch(/\/objections\/\d+$/);
    objectionUrl = page.url();
    await accessible(page);
  });

  // 6. The manager rejects it in writing; the objection and the answer are published.
  await site.as('manager.dongshan', async (page) => {
    await page.goto(objectionUrl);
    await accessible(page);
    await page.getByLabel(/质疑不成立/).check();
    await page.getByLabel('答复内容').fill('经核实，中标单位护理员均已登记在册，质疑不成立。');
    await submit(page, '提交答复');
    await accessible(page);
  });
  await site.as(null, async (page) => {
    await page.goto(awardUrl);
    expect(await page.getByText('经核实，中标单位护理员均已登记在册，质疑不成立。').count()).toBe(1);
    await accessible(page);
  });

  // 7. After the publicity period the manager confirms; the award is final and the money committed.
  const award = await site.db('awards').where({ call_id: call.id }).first();
  clock.set(new Date(new Date(award.publicity_ends_at).getTime() + 1000));
  await site.as('manager.dongshan', async (page) => {
    await page.goto(awardUrl);
    await submit(page, '确定中标/立项结果');
    expect(await page.getByText('已确定').count()).toBeGreaterThan(0);
    await accessible(page);
  });
  expect((await site.db('awards').where({ id: award.id }).first()).status).toBe('final');
  expect((await site.db('calls').where({ id: call.id }).first()).status).toBe('awarded');
  const committed = await site
    .db('fund_entries')
    .where({ call_id: call.id, kind: 'commitment' })
    .sum({ total: 'amount_fen' })
    .first();
  const winner = await site
    .db('award_items')
    .where({ award_id: award.id })
    .join('bids', 'bids.id', 'award_items.bid_id')
    .first('bids.price_fen', 'bids.organization_id');
  expect(Number(committed!.total)).toBe(Number(winner.price_fen));
  expect((await site.db('organizations').where({ id: winner.organization_id }).first()).name).toBe(
    '南京市江宁区安心养老服务中心',
  );

  // The unsuccessful bidder learns its own score and rank.
  await site.as('org.tongxin', async (page) => {
    await page.goto(`${base}/notifications`);
    // The message shows in the list and in its button's hidden label.
    expect(await page.getByText('得分 78.00，排名第 2').count()).toBeGreaterThan(0);
    expect(await page.getByText('得分 90.00').count()).toBe(0);
    await accessible(page);
  });
}, 900_000);
