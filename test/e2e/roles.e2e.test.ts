import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../seeds/demo-accounts';
import { accessibilityProblems, signInAs, visibleTextProblems, signOut, startSite, type Site } from './browser';
import { totpAt } from '../../src/modules/accounts/totp';

let site: Site;
let context: BrowserContext;
let page: Page;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site?.close();
});
// A fresh cookie jar per test, as a new visitor.
beforeEach(async () => {
  context = await site.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  // Every page this visitor saw, raw codes and untranslated keys (a failed test's own message comes first).
  const problems = context ? await visibleTextProblems(context) : [];
  await context?.close();
  expect(problems).toEqual([]);
});

const ROLE_LABEL: Record<string, string> = {
  org_staff: '社会组织工作人员',
  manager: '街道项目主管',
  approver: '街道审批人',
  reviewer: '评审专家/第三方评估',
  auditor: '审计人员',
  admin: '区管理员',
};

test('the sign-in page is accessible and lists the demo accounts', async () => {
  await page.goto(`${site.baseUrl}/login`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录');
  expect(await page.getByText('manager.dongshan').count()).toBeGreaterThan(0);
  expect(await accessibilityProblems(page)).toEqual([]);
});

test('a wrong password shows the message on the same form, accessibly', async () => {
  await page.goto(`${site.baseUrl}/login`);
  await page.getByLabel('用户名').fill('manager.dongshan');
  await page.getByLabel('密码').fill('not the password');
  await page.getByRole('button', { name: '登录' }).click();
  expect(await page.getByRole('alert').textContent()).toContain('用户名或密码不正确');
  expect(await page.getByLabel('用户名').inputValue()).toBe('manager.dongshan');
  expect(await accessibilityProblems(page)).toEqual([]);
});

describe.each(DEMO_ACCOUNTS.map((a) => [a.username, a.role] as const))('%s', (username, role) => {
  test(`signs in, lands on the ${role} dashboard with name, role and scope, and signs out`, async () => {
    await signInAs(page, username);
    const header = (await page.locator('header').textContent()) ?? '';
    expect(header).toContain(ROLE_LABEL[role]);
    const user = await site.db('users').where({ username }).first();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(user.display_name);
    expect(await accessibilityProblems(page)).toEqual([]);
    await signOut(page);
  });
});

test('English is available and remembered across pages', async () => {
  await page.goto(`${site.baseUrl}/login`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.waitForLoadState();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
  await signInAs(page, 'admin');
  expect(await page.locator('header').textContent()).toContain('District administrator');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Users');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByRole('button', { name: '中文' }).click();
  await page.waitForLoadState();
  await signOut(page);
});

test('the administrator creates a user who can then sign in', async () => {
  await signInAs(page, 'admin');
  await page.goto(`${site.baseUrl}/admin/users/new`);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByLabel('用户名').fill('e2e.approver');
  await page.getByLabel('初始密码').fill('a long enough password');
  await page.getByLabel('姓名').fill('端到端审批人');
  await page.getByLabel('角色').selectOption('approver');
  await page.getByLabel('所属街道').selectOption({ label: '东山街道（南京市江宁区）' });
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForURL(/\/admin\/users$/);
  expect(await page.getByRole('status').textContent()).toContain('e2e.approver');
  await signOut(page);
  // The administrator chose that password: the new user chooses their own before anything else.
  await page.goto(`${site.baseUrl}/login`);
  await page.getByLabel('用户名').fill('e2e.approver');
  await page.getByLabel('密码').fill('a long enough password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/account\/password$/);
  expect(await page.locator('header').textContent()).toContain('东山街道');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByLabel('当前密码').fill('a long enough password');
  await page.getByLabel('新密码', { exact: true }).fill('qwerty123456');
  await page.getByLabel('再次输入新密码').fill('qwerty123456');
  await page.getByRole('button', { name: '修改密码' }).click();
  expect(await page.getByRole('alert').textContent()).toContain('此密码过于常见');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByLabel('当前密码').fill('a long enough password');
  await page.getByLabel('新密码', { exact: true }).fill('my own approver sentence');
  await page.getByLabel('再次输入新密码').fill('my own approver sentence');
  await page.getByRole('button', { name: '修改密码' }).click();
  await page.waitForURL(/\/dashboard$/);
  expect(await page.getByText('演示模式：此账户无需两步验证即可使用').count()).toBe(1);

  // Two-step verification: the QR page and the recovery codes are accessible; a recovery code signs in.
  await page.goto(`${site.baseUrl}/account/second-factor`);
  await page.getByRole('button', { name: '设置两步验证' }).click();
  await page.waitForURL(/\/account\/second-factor$/);
  expect(await page.getByRole('img', { name: '用身份验证器应用扫描的二维码' }).count()).toBe(1);
  expect(await accessibilityProblems(page)).toEqual([]);
  const secret = ((await page.locator('code.secret').textContent()) ?? '').replace(/ /g, '');
  await page.getByLabel('应用显示的验证码').fill(totpAt(secret, new Date()));
  await page.getByRole('button', { name: '启用两步验证' }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('您的恢复码');
  expect(await accessibilityProblems(page)).toEqual([]);
  const codes = await page.locator('.recovery-codes code').allTextContents();
  expect(codes).toHaveLength(10);
  await page.getByRole('link', { name: '我已保存恢复码' }).click();
  await signOut(page);
  await page.goto(`${site.baseUrl}/login`);
  await page.getByLabel('用户名').fill('e2e.approver');
  await page.getByLabel('密码').fill('my own approver sentence');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/login\/second-factor$/);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByLabel('验证码').fill(codes[0]);
  await page.getByRole('button', { name: '验证' }).click();
  await page.waitForURL(/\/dashboard$/);
  expect(await page.locator('header').textContent()).toContain('东山街道');
  await signOut(page);
});
