import type { Page } from 'playwright-core';
import { shanghaiYear } from '../../src/modules/funds';
import { accessibilityProblems, startSite, visibleTextProblems, type Site } from './browser';

// The public disclosure pages as a visitor without an account sees them, on a desktop and on a
// phone: the district front page, a street-year page with its charts, the contract list and a
// contract, an organization's registry page. axe-core finds no serious or critical problem, and each
// chart is read by its text alternative (its title names it, its description gives the numbers the
// table beside it prints).
let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site?.close();
});

const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
];

/** The accessible name and description of every role="img" SVG on the page, as a screen reader gets them. */
async function chartTexts(page: Page): Promise<{ name: string; description: string }[]> {
  // Runs in the page (a string, as the tests compile without the DOM library).
  return page.evaluate(`[...document.querySelectorAll('svg[role="img"]')].map((svg) => {
    const [titleId, descId] = (svg.getAttribute('aria-labelledby') || '').split(' ');
    return { name: (document.getElementById(titleId) || {}).textContent || '', description: (document.getElementById(descId) || {}).textContent || '' };
  })`);
}

describe.each(VIEWPORTS)('on a $name', ({ viewport, isMobile }) => {
  it('browses the public pages without signing in; accessible; charts readable by their text alternatives', async () => {
    const context = await site.newContext({ viewport, isMobile, hasTouch: isMobile });
    const page = await context.newPage();
    try {
      const year = shanghaiYear(new Date());
      await page.goto(`${site.baseUrl}/`);
      await page.getByRole('link', { name: '资金与合同公开' }).first().click();
      await page.waitForURL(/\/public$/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await expect(page.locator('#district-totals').textContent()).resolves.toContain('¥');
      const front = await chartTexts(page);
      expect(front[0].name).toContain('各街道专项资金');
      expect(front[0].description).toContain('东山街道');

      await page.locator('#streets-table').getByRole('link', { name: '东山街道' }).click();
      await page.waitForURL(new RegExp(`/public/streets/\\d+/${year}$`));
      expect(await accessibilityProblems(page)).toEqual([]);
      const charts = await chartTexts(page);
      expect(charts.map((c) => c.name)).toEqual(
        expect.arrayContaining([expect.stringContaining('按来源'), expect.stringContaining('每月支付')]),
      );
      // The numbers the description reads out are the table's.
      const fiscalRow = (await page.locator('#sources-table tr[data-source="fiscal"] td').allTextContents()).slice(1);
      for (const cell of fiscalRow) expect(charts[0].description).toContain(cell.trim());
      const months = await page.locator('#months-table td').allTextContents();
      for (const cell of months) expect(charts[1].description).toContain(cell.trim());
      if (isMobile) {
        // On a phone the chart and its table stack, and nothing makes the page scroll sideways.
        const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(1);
      }

      await page.goto(`${site.baseUrl}/public/contracts`);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.locator('#contracts-table a').first().click();
      await page.waitForURL(/\/public\/contracts\/\d+$/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await expect(page.getByRole('link', { name: /合同公开版/ }).count()).resolves.toBe(1);
      await page
        .getByRole('link', { name: /安心|同心|绿荫/ })
        .first()
        .click();
      await page.waitForURL(/\/registry\/\d+$/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await expect(page.locator('#track-record').textContent()).resolves.toContain('¥');
      expect(await visibleTextProblems(context)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
