import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { accessibilityProblems, startSite, type Site } from './browser';

// Issue 9 in a real browser, on the demo data: the reviewer reads the whole bid and opens its
// proposal PDF after declaring, the manager opens a bid, a refused action offers the way back, and
// each role's dashboard is a work queue (or says there is nothing to do). Screenshots of the changed
// pages at desktop and phone width go to /tmp/ux-shots/ for a person to look at.
let site: Site;
beforeAll(async () => {
  site = await startSite();
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await site?.close();
});

const SHOTS = process.env.UX_SHOTS_DIR ?? '/tmp/ux-shots';
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** Full-page screenshots at both widths; the page is left at desktop width. */
async function shots(page: Page, name: string) {
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
}

async function dongshanCallUnderReview(): Promise<number> {
  const call = await site
    .db('calls as k')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .where('s.name', 'like', '东山%')
    .where('k.status', 'under_review')
    .whereNull('k.scoring_closed_at')
    .first('k.id');
  return Number(call.id);
}

const queueSection = (page: Page) => page.locator('section[aria-labelledby="h-queue"]');

test('the reviewer follows the queue, declares no conflict, reads the whole bid and opens the proposal PDF', async () => {
  const callId = await dongshanCallUnderReview();
  await site.as('reviewer.zhang', async (page) => {
    await shots(page, 'dashboard-reviewer');
    const item = queueSection(page).getByRole('link').first();
    expect(await item.textContent()).toMatch(/申报利益冲突|填写评分表/);
    await item.click();
    await page.waitForURL(new RegExp(`/reviews/calls/${callId}$`));
    const undeclared = await site
      .db('bids as b')
      .where('b.call_id', callId)
      .where('b.status', 'submitted')
      .whereNotExists(
        site
          .db('conflict_declarations as d')
          .whereRaw('d.bid_id = b.id')
          .where('d.reviewer_id', site.db('users').where('username', 'reviewer.zhang').select('id')),
      )
      .first('b.ref');
    await page.goto(`${site.baseUrl}/reviews/calls/${callId}/bids/${undeclared.ref}`);
    expect(await page.getByRole('heading', { name: '预算明细' }).count()).toBe(0);
    await shots(page, 'reviewer-bid-before');
    await page.getByLabel('本人与该组织不存在利益冲突').check();
    await page.getByRole('button', { name: '提交申报' }).click();
    await page.waitForURL(new RegExp(`/reviews/calls/${callId}/bids/${undeclared.ref}$`));
    await page.getByRole('heading', { name: /预算/ }).first().waitFor();
    await shots(page, 'reviewer-bid-after');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('link', { name: /\.pdf$/ })
        .first()
        .click(),
    ]);
    const file = await download.path();
    expect(fs.readFileSync(file!).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await accessibilityProblems(page)).toEqual([]);
  });
  const read = await site.db('audit_events').where({ action: 'bid.file_download' }).count({ n: '*' }).first();
  expect(Number(read!.n)).toBeGreaterThan(0);
});

test('the manager opens a bid read-only from the review page; a refused action offers the way back', async () => {
  const callId = await dongshanCallUnderReview();
  await site.as('manager.dongshan', async (page) => {
    await shots(page, 'dashboard-manager');
    expect(await queueSection(page).locator('li').count()).toBeGreaterThan(0);
    await page.goto(`${site.baseUrl}/reviews/calls/${callId}`);
    await shots(page, 'review-manager');
    await page.locator('section[aria-labelledby="h-bids"] tbody a').first().click();
    await page.waitForURL(/\/bids\/[0-9a-f]{16}$/);
    expect(await page.getByText('只读').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: /编辑|继续/ }).count()).toBe(0);
    await shots(page, 'bid-manager');
    expect(await accessibilityProblems(page)).toEqual([]);

    // A page left open while the state changed: its form is refused (409); the error page leads back.
    await page.goto(`${site.baseUrl}/reviews/calls/${callId}`);
    // (A string, so that the test needs no DOM types: it runs in the page.)
    await page.evaluate(`(() => {
      const token = document.querySelector('input[name="_csrf"]').value;
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/reviews/calls/${callId}/opening';
      form.innerHTML = '<input type="hidden" name="_csrf" value="' + token + '">';
      document.body.appendChild(form);
      form.submit();
    })()`);
    await page.waitForURL(new RegExp(`/reviews/calls/${callId}/opening$`));
    await shots(page, 'error-409');
    await page.getByRole('link', { name: '返回刚才的页面' }).click();
    await page.waitForURL(new RegExp(`/reviews/calls/${callId}$`));
    // (No raw action code on these pages either: site.as reads every page for them.)
  });
});

test('each dashboard shows its queue or says there is nothing to do', async () => {
  for (const username of ['org.anxin', 'org.lvyin', 'admin', 'approver.dongshan', 'manager.liucheng', 'reviewer.li']) {
    await site.as(username, async (page) => {
      const section = queueSection(page);
      await section.waitFor();
      const items = await section.locator('li').count();
      const empty = await section.getByText('目前没有等待您处理的事项。').count();
      expect(items > 0 || empty === 1).toBe(true);
      expect(items > 0 && empty > 0).toBe(false);
      await shots(page, `dashboard-${username.replace('.', '-')}`);
    });
  }
  // The auditor's page: what changed in their streets, each change a link to its record.
  await site.as('auditor.wang', async (page) => {
    const section = queueSection(page);
    expect(await section.getByRole('heading', { level: 2 }).textContent()).toBe('您的街道有哪些变化');
    const items = await section.locator('li').count();
    expect(items > 0).toBe((await section.locator('.empty').count()) === 0);
    expect(items).toBeGreaterThan(0); // the demo data's story happened within the week
    await shots(page, 'dashboard-auditor-wang');
    const first = section.locator('li a').first();
    const href = (await first.getAttribute('href')) ?? '';
    expect(href).toMatch(
      /^\/(calls|contracts|awards|bids|payments|organizations|findings|audit|catalog|funds|reviews)\b/,
    );
    const [response] = await Promise.all([page.waitForNavigation(), first.click()]);
    expect(response?.status()).toBe(200);
  });
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${site.baseUrl}/manage/awards`);
    await shots(page, 'award-desk');
  });
});
