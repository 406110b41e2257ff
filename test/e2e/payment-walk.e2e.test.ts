import type { Knex } from 'knex';
import type { Page } from 'playwright-core';
import { systemActor } from '../../src/audit/audit';
import { totpAt } from '../../src/modules/accounts/totp';
import { uploadInvoice } from '../../src/modules/payments/service';
import { loadConfig } from '../../src/config';
import { systemClock } from '../../src/shared/clock';
import { minimalPdf } from '../helpers/pdf-fixture';
import { accessibilityProblems, signInAs, startSite, visibleTextProblems, type Site } from './browser';

// The end of the chain in a real browser, on the demo data: the manager scores and closes the
// mid-term evaluation of DS-2026-0001; 安心养老 uploads its invoice; the manager proposes the payment
// (the amount the evaluation allows, the contract's split of sources); approver.dongshan enrols a
// second factor, finds the proposal in the queue and approves it; 安心养老 sees the payment with its
// score; the remaining milestones are evaluated and paid the same way and the contract completes.
let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(async () => {
  await site?.close();
});

const pdf = minimalPdf();

async function submit(page: Page, name: string | RegExp) {
  const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).first().click()]);
  const problems = (await page.locator('.error-summary, .error-message').allTextContents()).join(' ').trim();
  expect(`${response?.status()} ${problems}`).toBe('200 ');
}

/** The approver proves a second factor in this browser session (enrols, as the e2e roles test does). */
async function secondFactor(page: Page) {
  await page.goto(`${site.baseUrl}/account/second-factor`);
  await page.getByRole('button', { name: '设置两步验证' }).click();
  await page.waitForURL(/\/account\/second-factor$/);
  const secret = ((await page.locator('code.secret').textContent()) ?? '').replace(/ /g, '');
  await page.getByLabel('应用显示的验证码').fill(totpAt(secret, new Date()));
  await page.getByRole('button', { name: '启用两步验证' }).click();
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('您的恢复码');
}

/** A later milestone's report and closed evaluation, written directly (the evaluation pages are
 *  walked above for the mid-term one), and the organization's invoice through the service. */
async function evaluatedWithInvoice(db: Knex, contractId: number, seq: number) {
  const c = await db('contracts').where({ id: contractId }).first();
  const staff = await db('users').where({ username: 'org.anxin' }).first();
  const manager = await db('users').where({ username: 'manager.dongshan' }).first();
  const m = await db('contract_milestones').where({ contract_id: contractId, seq }).first();
  const at = new Date().toISOString();
  const result = {
    status: 'closed',
    manager_score: 9000,
    manager_comment: '好',
    manager_scored_by: manager.id,
    manager_scored_at: at,
    self_score: 9000,
    total_score: 9000,
    grade: 'excellent',
    stars: 5,
    pass_score: m.pass_score,
    passed: true,
    weights_json: JSON.stringify({ used: [], missing: [] }),
    closed_by: manager.id,
    closed_at: at,
  };
  // The demo's next milestone already has a submitted report with its evaluation open: close that one.
  const open = await db('milestone_evaluations').where({ contract_id: contractId, milestone_seq: seq }).first('id');
  if (open) await db('milestone_evaluations').where({ id: open.id }).update(result);
  else {
    const [report] = await db('milestone_reports')
      .insert({
        contract_id: contractId,
        milestone_seq: seq,
        organization_id: c.organization_id,
        street_office_id: c.street_office_id,
        version: 1,
        status: 'submitted',
        delivered_json: '[]',
        people_served: 100,
        sessions_held: 10,
        self_score: 9000,
        self_comment: '完成',
        created_by: staff.id,
        created_at: at,
        updated_at: at,
        submitted_by: staff.id,
        submitted_at: at,
      })
      .returning('id');
    await db('milestone_evaluations').insert({
      contract_id: contractId,
      milestone_seq: seq,
      street_office_id: c.street_office_id,
      organization_id: c.organization_id,
      report_id: Number(typeof report === 'object' ? report.id : report),
      opened_at: at,
      ...result,
    });
  }
  const user = {
    id: Number(staff.id),
    username: staff.username,
    displayName: '',
    role: 'org_staff' as const,
    streetOfficeId: null,
    streetOfficeName: null,
    organizationId: Number(staff.organization_id),
    organizationName: null,
    streetOfficeIds: [],
  };
  const config = { ...loadConfig({ NODE_ENV: 'test' }), uploadDir: (await import('node:os')).tmpdir() };
  await uploadInvoice(
    { db, clock: systemClock, config },
    systemActor,
    user,
    contractId,
    seq,
    {
      fieldname: 'file',
      originalname: 'fapiao.pdf',
      mimetype: 'application/pdf',
      size: pdf.length,
      buffer: pdf,
    } as Express.Multer.File,
    'invoice',
    Number(m.amount_fen),
  );
}

async function proposeAndApprove(contractId: number, seq: number) {
  let proposal = '';
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${site.baseUrl}/contracts/${contractId}/milestones/${seq}/payment`);
    await submit(page, '提交审批');
    proposal = new URL(page.url()).pathname;
    expect(proposal).toMatch(/^\/payments\/proposals\/\d+$/);
  });
  const page = approverPage!;
  await page.goto(`${site.baseUrl}/payments/queue`);
  await page.locator(`a[href="${proposal}"]`).click();
  await submit(page, '批准并拨付');
  expect(page.url()).toMatch(/\/payments\/\d+$/);
}

/** The approver's browser session, kept open: having enrolled a second factor, a new sign-in would
 *  ask for a code again. */
let approverPage: Page | undefined;

test('evaluation → proposal → approval (second factor) → the organization sees the payment → the contract completes', async () => {
  const base = site.baseUrl;
  const contract = await site.db('contracts').where({ number: 'DS-2026-0001' }).first('id');
  const id = Number(contract.id);
  const milestones = await site.db('contract_milestones').where({ contract_id: id }).orderBy('seq');

  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${base}/contracts/${id}/milestones/2/report`);
    // The demo may have closed this evaluation already (from all five sources); otherwise close it here,
    // scoring each of the call's indicators (or the one score of a call without indicators).
    const form = page.locator('form[action$="/evaluation/manager-score"]');
    if (await form.count()) {
      const fields = form.locator('input[name^=score_], input[name=score]');
      for (let i = 0; i < (await fields.count()); i += 1) await fields.nth(i).fill('85');
      await form.locator('[name=comment]').fill('活动扎实，台账齐全');
      await submit(page, '保存街道评分');
      await submit(page, '结束评估并固定结果');
    }
    // Not proposable before the organization's invoice.
    await page.goto(`${base}/contracts/${id}/milestones/2/payment`);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await page.locator('body').textContent()).toContain('评估合格');
  });

  await site.as('org.anxin', async (page) => {
    await page.goto(`${base}/contracts/${id}/milestones/2/payment`);
    await page.getByLabel('金额（元）').fill((Number(milestones[1].amount_fen) / 100).toFixed(2));
    await page
      .locator('input[type=file][name=file]')
      .setInputFiles({ name: '发票.pdf', mimeType: 'application/pdf', buffer: pdf });
    await submit(page, '上传');
    expect(await page.locator('body').textContent()).toContain('发票.pdf');
  });

  const closed = await site
    .db('milestone_evaluations')
    .where({ contract_id: id, milestone_seq: 2 })
    .first('total_score');
  const score = (Number(closed.total_score) / 100).toFixed(2);
  let proposal = '';
  await site.as('manager.dongshan', async (page) => {
    await page.goto(`${base}/contracts/${id}/milestones/2/payment`);
    await submit(page, '提交审批');
    proposal = new URL(page.url()).pathname;
    expect(await accessibilityProblems(page)).toEqual([]);
    // The proposer sees no approval form on their own proposal.
    expect(await page.getByRole('button', { name: '批准并拨付' }).count()).toBe(0);
  });

  const approverContext = await site.newContext();
  approverPage = await approverContext.newPage();
  await signInAs(approverPage, 'approver.dongshan');
  await secondFactor(approverPage);
  await (async (page: Page) => {
    await page.goto(`${base}/payments/queue`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.locator(`a[href="${proposal}"]`).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    await submit(page, '批准并拨付');
    expect(page.url()).toMatch(/\/payments\/\d+$/);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('资金台账');
    expect(text).toContain(score);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('支付凭证号 / 银行转账流水号').fill('JN-ZF-2026-0401');
    await page.getByLabel('支付日期').fill(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    await submit(page, '录入');
    expect(await page.locator('main').textContent()).toContain('JN-ZF-2026-0401');
  })(approverPage);

  await site.as('org.anxin', async (page) => {
    await page.goto(`${base}/my/payments`);
    expect(await accessibilityProblems(page)).toEqual([]);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(score);
    expect(text).toContain(milestones[1].title);
    expect(text).not.toContain('刘洋'); // no officer's name on the organization's list
  });

  for (const m of milestones.filter((x) => !x.settlement && Number(x.seq) > 2)) {
    await evaluatedWithInvoice(site.db, id, Number(m.seq));
    await proposeAndApprove(id, Number(m.seq));
  }
  expect(await visibleTextProblems(approverContext)).toEqual([]);
  await approverContext.close();
  expect((await site.db('contracts').where({ id }).first()).status).toBe('completed');
  await site.as('org.anxin', async (page) => {
    await page.goto(`${base}/contracts/${id}`);
    expect(await page.locator('main').textContent()).toMatch(/已完成|完成/);
  });
});
