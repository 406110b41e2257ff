import { execSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type Response,
} from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { seedIfEmpty } from '../../src/db/seed';
import { systemClock, type Clock } from '../../src/shared/clock';
import { createTestDb, type TestDb } from '../helpers/db';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rawCodes } from './raw-codes';

/** Debian's chromium, never a browser downloaded by a test tool. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return execSync('which chromium', { encoding: 'utf8' }).trim();
}

/** Who signs in: a demo account's username (the demo password) or a username with its password. */
export type SignInUser = string | { username: string; password: string };

export interface Site {
  baseUrl: string;
  browser: Browser;
  db: TestDb['db'];
  /** A fresh visitor (own cookies) whose every page is read for raw codes and untranslated keys
   *  (visibleTextProblems); relative URLs go to the site, downloads are accepted. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** One step of a walk: a fresh visitor, signed in as `user` (none: a visitor without an account),
   *  runs `step`; then no page it saw may have shown a raw code or key. */
  as<T>(user: SignInUser | null, step: (page: Page) => Promise<T>, options?: BrowserContextOptions): Promise<T>;
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
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  async function newContext(options: BrowserContextOptions = {}) {
    const context = await browser.newContext({ baseURL: baseUrl, acceptDownloads: true, ...options });
    watchText(context);
    return context;
  }
  return {
    baseUrl,
    browser,
    db: testDb.db,
    newContext,
    async as<T>(
      user: SignInUser | null,
      step: (page: Page) => Promise<T>,
      options?: BrowserContextOptions,
    ): Promise<T> {
      const context = await newContext(options);
      try {
        const page = await context.newPage();
        if (user) await signInAs(page, user);
        const result = await step(page);
        expect(await visibleTextProblems(context)).toEqual([]);
        // The check read what the step saw (a watcher that reads nothing would pass everything).
        expect(textChecks.get(context)!.read).toBeGreaterThan(0);
        return result;
      } finally {
        await context.close();
      }
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await built.close();
      await testDb.destroy();
      fs.rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** Serious or critical accessibility violations on the page, as readable lines, and any raw code or
 *  untranslated key in its visible text (rawCodes). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const [results, text] = await Promise.all([new AxeBuilder({ page }).analyze(), page.locator('body').innerText()]);
  return [
    ...results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ...rawCodes(text).map((code) => `raw code or key "${code}" in the visible text of ${new URL(page.url()).pathname}`),
  ];
}

/** The text of an HTML page as a reader sees it, roughly: without scripts, styles and tags. */
function htmlText(html: string): string {
  return html
    .replace(/<(script|style|template)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ');
}

const textChecks = new WeakMap<BrowserContext, { pending: Promise<void>[]; problems: string[]; read: number }>();

/** Reads every HTML page the context is sent (each navigation, each redirect's target, each error page). */
function watchText(context: BrowserContext): void {
  const state = { pending: [] as Promise<void>[], problems: [] as string[], read: 0 };
  textChecks.set(context, state);
  context.on('response', (response: Response) => {
    if (
      response.request().resourceType() !== 'document' ||
      !/text\/html/.test(response.headers()['content-type'] ?? '')
    )
      return;
    if (response.status() >= 300 && response.status() < 400) return;
    state.pending.push(
      response
        .text()
        .then((html) => {
          state.read += 1;
          for (const code of rawCodes(htmlText(html)))
            state.problems.push(`raw code or key "${code}" on ${new URL(response.url()).pathname}`);
        })
        // A page left before its body arrived cannot be read; the next one is.
        .catch(() => undefined),
    );
  });
}

/** The raw codes and untranslated keys the context's pages have shown so far (site.as checks them). */
export async function visibleTextProblems(context: BrowserContext): Promise<string[]> {
  const state = textChecks.get(context);
  if (!state) throw new Error('visibleTextProblems: make the context with site.newContext');
  await Promise.all(state.pending);
  return [...new Set(state.problems)];
}

/** Signs in on the sign-in page as a user would and lands on the dashboard. The page's context must
 *  come from site.newContext (relative URLs). */
export async function signInAs(page: Page, user: SignInUser): Promise<void> {
  const { username, password } = typeof user === 'string' ? { username: user, password: 'streetfund-demo' } : user;
  await page.goto('/login');
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL(/\/dashboard$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: /退出登录|Sign out/ }).click();
  await page.waitForURL(/\/login\?signedOut=1$/);
}
