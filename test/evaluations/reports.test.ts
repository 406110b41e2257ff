import fs from 'node:fs';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, loginAs, signIn, type Agent } from '../helpers/http';
import { notified } from '../awards/factory';
import { draftContract } from '../contracts/factory';
import { saveReport } from '../../src/modules/evaluations/service';
import { InvalidState } from '../../src/web/errors';
import { activeContract, completeReport, PNG, postReport } from './factory';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const reports = (contractId: number) =>
  ctx.db('milestone_reports').where({ contract_id: contractId }).orderBy('version');
const post = async (agent: Agent, path: string, fields: Record<string, string> = {}) =>
  agent
    .post(path)
    .type('form')
    .send({ _csrf: await csrfFrom(agent, '/dashboard'), ...fields });
const uploads = () => fs.readdirSync(ctx.config.uploadDir).length;

describe('writing and submitting a report', () => {
  it('saves an incomplete draft, refuses to submit it without evidence, then submits once; the managers are notified', async () => {
    const c = await activeContract(ctx);
    const page = await c.staff.get(c.reportPath());
    expect(page.status).toBe(200);
    expect(page.text).toContain('填写进度报告');

    const draft = await postReport(c.staff, c.reportPath(), { intent: 'draft', peopleServed: '10' });
    expect(draft.status).toBe(303);
    let rows = await reports(c.contractId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'draft', version: 1, people_served: 10, self_score: null });
    expect((await c.staff.get(c.reportPath())).text).toContain('value="10"');

    // Submitting the incomplete draft: every missing field named, nothing submitted.
    const incomplete = await postReport(c.staff, c.reportPath(), { intent: 'submit', peopleServed: '10' });
    expect(incomplete.status).toBe(422);
    expect(incomplete.text).toContain('error-selfScore');
    expect(incomplete.text).toContain('error-delivered_0');
    expect((await reports(c.contractId))[0].status).toBe('draft');

    const noEvidence = await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() });
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.text).toContain('提交前请至少上传一份证明材料');
    expect((await reports(c.contractId))[0]).toMatchObject({ status: 'draft', people_served: 10 });

    const before = await notified(ctx, 'milestone.report_submitted');
    const ok = await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() }, [
      { name: '活动照片.png', content: PNG },
    ]);
    expect(ok.status).toBe(303);
    rows = await reports(c.contractId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'submitted', self_score: 8850, people_served: 86, sessions_held: 24 });
    expect(JSON.parse(rows[0].delivered_json)[0].delivered).toBe('已完成入户探访 120 次');
    expect((await notified(ctx, 'milestone.report_submitted')).length).toBe(before.length + 1);
    const events = await ctx
      .db('audit_events')
      .where({ subject_type: 'milestone_report', subject_id: String(rows[0].id) })
      .orderBy('id')
      .pluck('action');
    expect(events).toEqual(['milestone_report.save', 'milestone_report.save', 'milestone_report.submit']);

    // After submission nothing changes: 409, the form is gone, the row as it was.
    const again = await postReport(c.staff, c.reportPath(), {
      intent: 'draft',
      ...completeReport({ selfScore: '100' }),
    });
    expect(again.status).toBe(409);
    expect((await reports(c.contractId))[0].self_score).toBe(8850);
    const shown = await c.staff.get(c.reportPath());
    expect(shown.text).not.toContain('name="intent"');
    expect(shown.text).toContain('活动照片.png');
  });

  it.each([
    ['101', 'selfScore'],
    ['87.555', 'selfScore'],
    ['-1', 'selfScore'],
    ['abc', 'selfScore'],
  ])('refuses the self score %s with 422 and writes nothing', async (score, field) => {
    const c = await activeContract(ctx);
    const files = uploads();
    const res = await postReport(
      c.staff,
      c.reportPath(),
      { intent: 'submit', ...completeReport({ selfScore: score }) },
      [{ name: 'a.png', content: PNG }],
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain(`error-${field}`);
    expect(res.text).toContain('请填写 0 到 100 之间的分数，最多两位小数');
    expect(res.text).toContain(`value="${score}"`);
    expect(await reports(c.contractId)).toHaveLength(0);
    expect(uploads()).toBe(files);
  });

  it('refuses bad counts and evidence that is not what its name says, or not an evidence kind, writing nothing', async () => {
    const c = await activeContract(ctx);
    const files = uploads();
    const links = (await ctx.db('milestone_report_files')).length;
    const count = await postReport(c.staff, c.reportPath(), { intent: 'draft', peopleServed: '1.5' });
    expect(count.status).toBe(422);
    expect(count.text).toContain('error-peopleServed');
    const fake = await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() }, [
      { name: 'photo.png', content: Buffer.from('<html>not a picture</html>') },
    ]);
    expect(fake.status).toBe(422);
    expect(fake.text).toContain('error-files');
    const docx = await postReport(c.staff, c.reportPath(), { intent: 'draft' }, [
      { name: 'notes.docx', content: Buffer.from('PK\x03\x04') },
    ]);
    expect(docx.status).toBe(422);
    expect(docx.text).toContain('jpg, jpeg, png, pdf, xlsx');
    expect(await reports(c.contractId)).toHaveLength(0);
    expect(await ctx.db('milestone_report_files')).toHaveLength(links);
    expect(uploads()).toBe(files);
  });

  it('in English, the messages are in English', async () => {
    const c = await activeContract(ctx);
    await c.staff.get('/language?lang=en&returnTo=/dashboard');
    const res = await postReport(c.staff, c.reportPath(), {
      intent: 'submit',
      ...completeReport({ selfScore: '101' }),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a score from 0 to 100 with at most two decimals.');
  });
});

describe('who reaches a report', () => {
  it('the contract parties, the street auditors and the administrator read; anyone else is told nothing exists', async () => {
    const c = await activeContract(ctx);
    await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() }, [
      { name: 'a.png', content: PNG },
    ]);
    const fileId = Number((await ctx.db('milestone_report_files').orderBy('id', 'desc').first()).file_id);
    const filePath = `${c.reportPath()}/files/${fileId}`;

    expect((await c.manager.get(c.reportPath())).status).toBe(200);
    const auditor = (await loginAs(ctx, 'auditor', { auditStreets: [(await ctx.make.streetOffice()).id] })).agent;
    const ownAuditor = (await loginAs(ctx, 'auditor', { auditStreets: [c.call.streetOfficeId] })).agent;
    expect((await ownAuditor.get(c.reportPath())).status).toBe(200);
    expect((await ownAuditor.get(filePath)).status).toBe(200);
    // An auditor writes nothing (route floor), and one of other streets sees nothing.
    expect((await post(ownAuditor, `${c.reportPath()}/return`, { reason: 'x' })).status).toBe(403);
    expect((await auditor.get(c.reportPath())).status).toBe(404);
    expect((await (await loginAs(ctx, 'admin')).agent.get(c.reportPath())).status).toBe(200);

    // Another organization's staff: 404 on the page, the file and the form.
    const other = (await loginAs(ctx, 'org_staff', { organization_id: (await ctx.make.organization()).id })).agent;
    expect((await other.get(c.reportPath())).status).toBe(404);
    expect((await other.get(filePath)).status).toBe(404);
    expect((await postReport(other, c.reportPath(), { intent: 'draft', ...completeReport() })).status).toBe(404);
    // Another street's manager: 404 reading, 404 returning; nothing changed.
    const otherManager = (await loginAs(ctx, 'manager', { street_office_id: (await ctx.make.streetOffice()).id }))
      .agent;
    expect((await otherManager.get(c.reportPath())).status).toBe(404);
    expect((await post(otherManager, `${c.reportPath()}/return`, { reason: '不合格' })).status).toBe(404);
    expect((await reports(c.contractId))[0].status).toBe('submitted');
    // A milestone that does not exist, and a file of another milestone.
    expect((await c.staff.get(`/contracts/${c.contractId}/milestones/9/report`)).status).toBe(404);
    expect((await c.staff.get(`${c.reportPath(3)}/files/${fileId}`)).status).toBe(404);
  });

  it('a contract not yet signed has no reports, even for its organization', async () => {
    const d = await draftContract(ctx);
    const staff = await signIn(ctx, d.call.bids[0].staff.username);
    expect((await staff.get(`/contracts/${d.contractId}/milestones/2/report`)).status).toBe(404);
  });
});

describe('returning for correction', () => {
  it('the manager returns with a reason; the organization is notified and submits a second version; both are kept', async () => {
    const c = await activeContract(ctx);
    expect((await post(c.manager, `${c.reportPath()}/return`, { reason: '无' })).status).toBe(409); // nothing submitted yet
    await postReport(c.staff, c.reportPath(), { intent: 'submit', ...completeReport() }, [
      { name: 'a.png', content: PNG },
    ]);

    const empty = await post(c.manager, `${c.reportPath()}/return`, { reason: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('error-reason');
    expect((await reports(c.contractId))[0].status).toBe('submitted');

    const before = await notified(ctx, 'milestone.report_returned');
    expect((await post(c.manager, `${c.reportPath()}/return`, { reason: '服务人数与签到表不符' })).status).toBe(303);
    expect((await notified(ctx, 'milestone.report_returned')).length).toBe(before.length + 1);
    expect(await reports(c.contractId)).toMatchObject([
      { version: 1, status: 'returned', return_reason: '服务人数与签到表不符' },
    ]);

    const page = await c.staff.get(c.reportPath());
    expect(page.text).toContain('服务人数与签到表不符');
    expect(page.text).toContain('value="86"'); // the new version starts from the returned one
    const v2 = await postReport(c.staff, c.reportPath(), {
      intent: 'submit',
      ...completeReport({ peopleServed: '80' }),
    });
    expect(v2.status).toBe(303); // the returned version's evidence carried over
    const rows = await reports(c.contractId);
    expect(rows).toMatchObject([
      { version: 1, status: 'returned', people_served: 86 },
      { version: 2, status: 'submitted', people_served: 80 },
    ]);
    const linked = await ctx
      .db('milestone_report_files')
      .whereIn(
        'report_id',
        rows.map((r) => r.id),
      )
      .orderBy('report_id');
    expect(linked.map((l) => Number(l.file_id))).toEqual([Number(linked[0].file_id), Number(linked[0].file_id)]);
    expect(
      await ctx.db('audit_events').where({ action: 'milestone_report.return', subject_id: String(rows[0].id) }),
    ).toHaveLength(1);
  });
});

describe(`racing (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  const actor = { userId: null, label: 'race', role: 'org_staff', ip: null, requestId: null };
  const input = {
    delivered: [{ deliverable: 'x', delivered: 'done' }],
    peopleServed: 1,
    sessionsHeld: 1,
    problems: null,
    selfScore: 9000,
    selfComment: 'ok',
    removeFileIds: [],
  };
  const file = (): Express.Multer.File =>
    ({
      originalname: 'a.png',
      buffer: PNG,
      size: PNG.length,
      fieldname: 'files',
      mimetype: 'image/png',
    }) as Express.Multer.File;

  it('two first submissions at once make one report; the other is told', async () => {
    const c = await activeContract(ctx);
    const results = await Promise.allSettled(
      [0, 1].map(() => saveReport(ctx, actor, c.staffUser, c.contractId, 2, input, [file()], true)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(InvalidState);
    expect(await reports(c.contractId)).toHaveLength(1);
    expect(
      await ctx
        .db('audit_events')
        .where({ action: 'milestone_report.submit' })
        .whereIn(
          'subject_id',
          (await reports(c.contractId)).map((r) => String(r.id)),
        ),
    ).toHaveLength(1);
  });

  it('two submissions of one draft at once submit it once', async () => {
    const c = await activeContract(ctx);
    await saveReport(ctx, actor, c.staffUser, c.contractId, 2, input, [file()], false);
    const results = await Promise.allSettled(
      [0, 1].map(() => saveReport(ctx, actor, c.staffUser, c.contractId, 2, input, [], true)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(InvalidState);
    const rows = await reports(c.contractId);
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('submitted');
  });
});
