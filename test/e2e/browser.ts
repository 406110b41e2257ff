import { execSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';
import { systemClock, type Clock } from '../../src/shared/clock';
import { createTestDb, type TestDb } from '../helpers/db';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's chromium, never a browser downloaded by a test tool. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execSync('which chromium', { encoding: 'utf8' }).trim();
}

export interface Site {
  baseUrl: string;
  browser: Browser;
  db: TestDb['db'];
  close(): Promise<void>;
}

/** The real app with the demo data, listening on a free port, and a headless Chromium. A test may
 *  pass a TestClock to walk past deadlines; the demo data is then made at that clock's time. */
export async function startSite(clock: Clock = systemClock): Promise<Site> {
  const testDb = await createTestDb();
  const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-e2e-uploads-'));
  const config = { ...loadConfig({ NODE_ENV: 'test' }), uploadDir };
  await seedIfEmpty({ db: testDb.db, config, clock });
  const built = createApp({ config, db: testDb.db, clock });
  const server: Server = await new Promise((resolve) => {
    const s = built.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    db: testDb.db,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      built.close();
      await testDb.destroy();
      fs.rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** Serious or critical accessibility violations on the page, as readable lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function signInAs(page: Page, baseUrl: string, username: string, password = 'streetfund-demo'): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL(/\/dashboard$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /退出登录|Sign out/ }).click();
  await page.waitForURL(/\/login\?signedOut=1$/);
}
