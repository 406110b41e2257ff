import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, postForm, signIn } from '../helpers/http';
import { listRoutes } from '../helpers/routes';
import { signedContract } from '../contracts/factory';

/** Who reads which street's reports, who writes findings, and what bad input answers. */
let ctx: TestContext;
let mine: Awaited<ReturnType<typeof signedContract>>;
let other: Awaited<ReturnType<typeof signedContract>>;
let auditor: Awaited<ReturnType<typeof loginAs>>;
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(new Date('2026-11-25T02:00:00.000Z'));
  mine = await signedContract(ctx);
  other = await signedContract(ctx);
  auditor = await loginAs(ctx, 'auditor', { auditStreets: [mine.call.streetOfficeId] });
}, 60_000);
afterAll(() => ctx.close());

const REPORT_PAGES = ['/reports/register', '/reports/funds', '/reports/payments'];
const EXPORTS = REPORT_PAGES.map((p) => `${p}/export`);

describe('the auditor of one street office', () => {
  it('reads its reports, alone or as "all assigned", and never another street office (404)', async () => {
    for (const p of REPORT_PAGES) {
      expect((await auditor.agent.get(`${p}?street=${mine.call.streetOfficeId}&year=2026`)).status).toBe(200);
      expect((await auditor.agent.get(`${p}?year=2026`)).status).toBe(200);
      const refused = await auditor.agent.get(`${p}?street=${other.call.streetOfficeId}&year=2026`);
      expect(refused.status).toBe(404);
      expect(refused.text).toContain('没有找到该街道，或您无权查看该街道的报表。');
    }
    for (const e of EXPORTS)
      expect((await auditor.agent.get(`${e}?street=${other.call.streetOfficeId}&format=csv`)).status).toBe(404);
    expect((await auditor.agent.get(`/reports/contracts/${other.contractId}/dossier.pdf`)).status).toBe(404);
    expect((await auditor.agent.get(`/reports/contracts/${mine.contractId}/dossier.pdf`)).status).toBe(200);
  });

  it('never sees another street office in "all assigned"', async () => {
    const page = await auditor.agent.get('/reports/register?year=2026');
    expect(page.text).toContain(`/contracts/${mine.contractId}"`);
    expect(page.text).not.toContain(`/contracts/${other.contractId}"`);
  });

  it('cannot POST anything but a finding (every other POST route of the app is refused)', async () => {
    // Their own account (password, second factor, sign-out, language), marking their own
    // notifications read and a finding are theirs; POST /organizations is the public registration form.
    const own = /^POST \/(login|logout|language|account\/|notifications\/|organizations$|findings$)/;
    const posts = listRoutes(ctx.app).filter((r) => r.startsWith('POST ') && !own.test(r));
    expect(posts.length).toBeGreaterThan(20);
    const token = await csrfFrom(auditor.agent, '/dashboard');
    const allowed: string[] = [];
    for (const route of posts) {
      const url = route
        .slice(5)
        .replace(/:(\w+)/g, (_m, name: string) => (name === 'contractId' ? String(mine.contractId) : '1'));
      const res = await auditor.agent.post(url).type('form').send({ _csrf: token });
      if (![403, 404].includes(res.status)) allowed.push(`${route} → ${res.status}`);
    }
    expect(allowed).toEqual([]);
  });
});

describe('managers and organizations', () => {
  it('a manager reads their own street office only', async () => {
    const manager = await signIn(ctx, mine.manager.username);
    expect((await manager.get('/reports/funds?year=2026')).status).toBe(200);
    expect((await manager.get(`/reports/funds?street=${mine.call.streetOfficeId}`)).status).toBe(200);
    expect((await manager.get(`/reports/funds?street=${other.call.streetOfficeId}`)).status).toBe(404);
    expect((await manager.get(`/reports/register/export?street=${other.call.streetOfficeId}&format=xlsx`)).status).toBe(
      404,
    );
    expect((await manager.get(`/reports/contracts/${other.contractId}/dossier.pdf`)).status).toBe(404);
    const all = await manager.get('/reports/register?year=2026');
    expect(all.text).not.toContain(`/contracts/${other.contractId}"`);
  });

  it('organization staff, reviewers and approvers read no report (403)', async () => {
    for (const role of ['org_staff', 'reviewer', 'approver'] as const) {
      const { agent } = await loginAs(ctx, role);
      for (const p of [
        ...REPORT_PAGES,
        ...EXPORTS.map((e) => `${e}?format=csv`),
        `/reports/contracts/${mine.contractId}/dossier.pdf`,
        '/findings',
      ])
        expect([role, p, (await agent.get(p)).status]).toEqual([role, p, 403]);
    }
  });

  it('the public is sent to sign in', async () => {
    expect((await request(ctx.app).get('/reports/funds')).status).toBe(303);
  });
});

describe("bad input: a clear message in the user's language and the right status, the form re-shown", () => {
  const cases: [string, number, string][] = [
    ['/reports/funds?year=1999', 422, '年度应在 2000 至 2100 之间。'],
    ['/reports/funds?year=2101', 422, '年度应在 2000 至 2100 之间。'],
    ['/reports/funds?year=20x6', 422, '年度应为四位数字，例如 2026。'],
    ['/reports/register?from=2026-06-30&to=2026-01-01', 422, '截止日期不能早于起始日期。'],
    ['/reports/register?from=2026-02-30&to=2026-03-01', 422, '日期格式应为 YYYY-MM-DD，且是真实存在的日期。'],
    ['/reports/register?from=2026-01-01', 422, '请填写截止日期（与起始日期一起）。'],
    ['/reports/payments?from=yesterday&to=2026-03-01', 422, '日期格式应为 YYYY-MM-DD，且是真实存在的日期。'],
    ['/reports/funds?street=abc', 422, '请选择一个街道。'],
    ['/reports/funds?street=1&street=2', 422, '请只填写一个值。'],
    ['/reports/funds/export?format=docx', 422, '不支持该下载格式，请选择 PDF、xlsx 或 CSV。'],
    ['/reports/funds/export', 422, '不支持该下载格式，请选择 PDF、xlsx 或 CSV。'],
    ['/reports/contracts/99999/dossier.pdf', 404, '没有找到该合同，或您无权查看。'],
    ['/reports/contracts/1%27%20or%201=1/dossier.pdf', 404, '没有找到该合同，或您无权查看。'],
    ['/reports/funds?street=999999', 404, '没有找到该街道，或您无权查看该街道的报表。'],
  ];
  it.each(cases)('%s → %i', async (path, status, message) => {
    const res = await auditor.agent.get(path);
    expect(res.status).toBe(status);
    expect(res.text).toContain(message);
  });

  it('re-shows what was typed', async () => {
    const res = await auditor.agent.get('/reports/register?from=2026-06-30&to=2026-01-01');
    expect(res.text).toContain('value="2026-06-30"');
    expect(res.text).toContain('value="2026-01-01"');
  });

  it('answers in English for an English reader', async () => {
    const english = await loginAs(ctx, 'auditor', { auditStreets: [mine.call.streetOfficeId] });
    await english.agent.get('/language?lang=en&returnTo=/dashboard');
    const res = await english.agent.get('/reports/funds?year=1999');
    expect(res.status).toBe(422);
    expect(res.text).toContain('The year must be between 2000 and 2100.');
    const format = await english.agent.get('/reports/funds/export?format=docx');
    expect(format.text).toContain('Unknown download format: choose PDF, xlsx or CSV.');
    const page = await english.agent.get('/reports/funds?year=2026');
    expect(page.text).toContain('Ledger check');
  });

  it('a date range works, and the range may cross New Year', async () => {
    expect((await auditor.agent.get('/reports/funds?from=2026-12-15&to=2027-01-15')).status).toBe(200);
    const res = await auditor.agent.get('/reports/register?from=2026-01-01&to=2026-12-31');
    expect(res.text).toContain(`/contracts/${mine.contractId}"`);
  });
});

describe('findings (审计意见)', () => {
  it("an auditor records one on a contract, the street's manager answers, both audited and notified", async () => {
    const made = await postForm(
      auditor.agent,
      '/findings',
      {
        subject_type: 'contract',
        subject_id: String(mine.contractId),
        street: '',
        year: '',
        title: '支付依据',
        body: '请说明依据。',
      },
      '/findings/new',
    );
    expect(made.status).toBe(303);
    const id = Number(/\/findings\/(\d+)/.exec(made.headers.location)![1]);
    const rec = await ctx
      .db('audit_events')
      .where({ action: 'finding.record', subject_id: String(id) })
      .first();
    expect(rec.street_office_id).toBe(mine.call.streetOfficeId);
    expect(
      await ctx.db('notifications').where({ user_id: mine.manager.id, kind: 'finding.recorded' }).first(),
    ).toBeTruthy();

    // Another street's manager: not even its existence.
    const stranger = await signIn(ctx, other.manager.username);
    expect((await stranger.get(`/findings/${id}`)).status).toBe(404);
    expect((await postForm(stranger, `/findings/${id}/answer`, { answer: '不是我的' })).status).toBe(404);

    const manager = await signIn(ctx, mine.manager.username);
    expect((await manager.get('/findings')).text).toContain('支付依据');
    const empty = await postForm(manager, `/findings/${id}/answer`, { answer: '' });
    expect(empty.status).toBe(422);
    expect((await postForm(manager, `/findings/${id}/answer`, { answer: '依据合同第三条。' })).status).toBe(303);
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'finding.answer', subject_id: String(id) })
        .first(),
    ).toBeTruthy();
    expect(
      await ctx.db('notifications').where({ user_id: auditor.user.id, kind: 'finding.answered' }).first(),
    ).toBeTruthy();
    expect((await postForm(manager, `/findings/${id}/answer`, { answer: '再答一次' })).status).toBe(409);
    expect((await auditor.agent.get(`/findings/${id}`)).text).toContain('依据合同第三条。');
  });

  it('records one on a street-year; refuses a forged contract id, another street and a bad year, writing nothing', async () => {
    const before = Number((await ctx.db('audit_findings').count({ n: '*' }).first())!.n);
    const ok = await postForm(
      auditor.agent,
      '/findings',
      {
        subject_type: 'street_year',
        subject_id: '',
        street: String(mine.call.streetOfficeId),
        year: '2026',
        title: '年度资金',
        body: '请说明。',
      },
      '/findings/new',
    );
    expect(ok.status).toBe(303);
    const forged = await postForm(
      auditor.agent,
      '/findings',
      { subject_type: 'contract', subject_id: '99999', title: 't', body: 'b' },
      '/findings/new',
    );
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('没有找到该合同，或它不在您负责审计的街道。');
    expect(
      (
        await postForm(
          auditor.agent,
          '/findings',
          { subject_type: 'contract', subject_id: String(other.contractId), title: 't', body: 'b' },
          '/findings/new',
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await postForm(
          auditor.agent,
          '/findings',
          {
            subject_type: 'street_year',
            street: String(other.call.streetOfficeId),
            year: '2026',
            title: 't',
            body: 'b',
          },
          '/findings/new',
        )
      ).status,
    ).toBe(404);
    const badYear = await postForm(
      auditor.agent,
      '/findings',
      { subject_type: 'street_year', street: String(mine.call.streetOfficeId), year: '1999', title: '年度', body: 'b' },
      '/findings/new',
    );
    expect(badYear.status).toBe(422);
    expect(badYear.text).toContain('年度应在 2000 至 2100 之间。');
    expect(badYear.text).toContain('value="年度"');
    const noTitle = await postForm(
      auditor.agent,
      '/findings',
      { subject_type: 'contract', subject_id: String(mine.contractId), title: '', body: 'b' },
      '/findings/new',
    );
    expect(noTitle.status).toBe(422);
    expect(Number((await ctx.db('audit_findings').count({ n: '*' }).first())!.n)).toBe(before + 1);
  });

  it('a manager cannot record one, an auditor cannot answer one, and a POST without the CSRF token is refused', async () => {
    const manager = await signIn(ctx, mine.manager.username);
    expect(
      (
        await postForm(manager, '/findings', {
          subject_type: 'contract',
          subject_id: String(mine.contractId),
          title: 't',
          body: 'b',
        })
      ).status,
    ).toBe(403);
    const f = await ctx.db('audit_findings').first('id');
    expect((await postForm(auditor.agent, `/findings/${f.id}/answer`, { answer: 'x' })).status).toBe(403);
    expect(
      (
        await auditor.agent
          .post('/findings')
          .type('form')
          .send({ subject_type: 'contract', subject_id: String(mine.contractId), title: 't', body: 'b' })
      ).status,
    ).toBe(403);
  });
});
