import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs, type Agent } from '../helpers/http';
import { recordAudit, type Actor } from '../../src/audit/audit';
import { knownActions } from '../../src/modules/audit-trail/labels';
import { makeCall } from '../bids/helpers';

/**
 * The audit trail for auditors and the administrator (issues 13 and 9): filters, keyset pages with a
 * bounded count, sentences with names, the labelled diff, the CSV export, and who sees what.
 */
let ctx: TestContext;
let streetA: { id: number; name: string };
let streetB: { id: number; name: string };
let callA: { id: number };
let admin: Agent;
let auditorA: Agent;
let actorUser: { id: number; username: string; display_name: string };

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const rowsOf = (html: string) => [...html.matchAll(/<a href="\/audit\/(\d+)" aria-label/g)].map((m) => Number(m[1]));

beforeAll(async () => {
  ctx = await createTestContext();
  streetA = (await ctx.make.streetOffice({ name: '甲审计街道' })) as typeof streetA;
  streetB = (await ctx.make.streetOffice({ name: '乙审计街道' })) as typeof streetB;
  callA = (await makeCall(ctx, { street_office_id: streetA.id, title: '甲街道助老服务' })) as { id: number };
  actorUser = (await ctx.make.user('manager', {
    street_office_id: streetA.id,
    display_name: '甲主管',
  })) as typeof actorUser;
  const actor: Actor = {
    userId: actorUser.id,
    label: actorUser.username,
    role: 'manager',
    ip: '127.0.0.1',
    requestId: null,
  };
  // 120 events of street A on two Beijing days either side of midnight, 5 of street B, one rename with a diff.
  await ctx.db.transaction(async (trx) => {
    for (let i = 0; i < 120; i++) {
      const at = new Date(Date.parse('2026-12-01T15:00:00Z') + i * 60_000); // 23:00 to 00:59 Beijing
      await recordAudit(
        trx,
        actor,
        {
          action: 'call.draft_update',
          subjectType: 'call',
          subjectId: callA.id,
          streetOfficeId: streetA.id,
          after: { i },
        },
        at,
      );
    }
    for (let i = 0; i < 5; i++) {
      await recordAudit(
        trx,
        actor,
        {
          action: 'street_office.rename',
          subjectType: 'street_office',
          subjectId: streetB.id,
          streetOfficeId: streetB.id,
          before: { name: '乙旧名' },
          after: { name: `乙新名${i}` },
        },
        new Date('2026-12-03T02:00:00Z'),
      );
    }
    await recordAudit(
      trx,
      actor,
      {
        action: 'street_office.rename',
        subjectType: 'street_office',
        subjectId: streetA.id,
        streetOfficeId: streetA.id,
        before: { name: '甲旧名', district: '甲区' },
        after: { name: '甲新名', district: '甲区' },
      },
      new Date('2026-12-03T03:00:00Z'),
    );
  });
  admin = (await loginAs(ctx, 'admin')).agent;
  auditorA = (await loginAs(ctx, 'auditor', { auditStreets: [streetA.id] })).agent;
}, 120_000);
afterAll(() => ctx.close());

describe('the audit trail list', () => {
  it('reads as sentences with names and links, never raw codes, "user #" or "anonymous"', async () => {
    const res = await admin.get(`/audit?street=${streetA.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      `<a href="/admin/users/${actorUser.id}/edit">甲主管（${actorUser.username}）</a> 修改了项目公告草稿 <a href="/calls/${callA.id}">《甲街道助老服务》</a>`,
    );
    const table = text(res.text.slice(res.text.indexOf('<table')));
    for (const code of knownActions()) expect(table).not.toContain(code);
    expect(table).not.toMatch(/user #\d|anonymous/);
  });

  it('pages by key: 50 a page, older and newer links, the oldest page, and no OFFSET in any query', async () => {
    const sql: string[] = [];
    const listen = (q: { sql: string }) => sql.push(q.sql.toLowerCase());
    ctx.db.on('query', listen);
    const first = await admin.get(`/audit?street=${streetA.id}&action=call.draft_update`);
    const ids = rowsOf(first.text);
    expect(ids).toHaveLength(50);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(first.text).toContain('共 120 条事件');
    const older = /before=(\d+)" rel="next"/.exec(first.text)![1];
    expect(Number(older)).toBe(ids[49]);
    const second = await admin.get(`/audit?street=${streetA.id}&action=call.draft_update&before=${older}`);
    const ids2 = rowsOf(second.text);
    expect(ids2[0]).toBe(ids[49] - 1);
    const back = /after=(\d+)" rel="prev"/.exec(second.text)![1];
    expect(
      rowsOf((await admin.get(`/audit?street=${streetA.id}&action=call.draft_update&after=${back}`)).text),
    ).toEqual(ids);
    const lastPage = await admin.get(`/audit?street=${streetA.id}&action=call.draft_update&last=1`);
    const last = rowsOf(lastPage.text);
    expect(last).toHaveLength(50);
    const oldest = await ctx.db('audit_events').where({ action: 'call.draft_update' }).min({ id: 'id' }).first();
    expect(last[49]).toBe(Number(oldest!.id));
    expect(lastPage.text).not.toContain('rel="next"');
    expect(lastPage.text).toContain('rel="prev"');
    ctx.db.removeListener('query', listen);
    expect(sql.filter((s) => s.includes('audit_events') && /\boffset\b/.test(s))).toEqual([]);
  });

  it('filters by street, user, action group, subject and Beijing dates (the day included)', async () => {
    expect(rowsOf((await admin.get(`/audit?user=${actorUser.username}&action=street_office.`)).text)).toHaveLength(6);
    expect(rowsOf((await admin.get(`/audit?subjectType=street_office&subjectId=${streetB.id}`)).text)).toHaveLength(5);
    // 15:00Z-15:59Z is 2026-12-01 in Beijing (60 events), 16:00Z on is 2026-12-02 (60 events).
    const day1 = await admin.get(`/audit?street=${streetA.id}&action=call.&from=2026-12-01&to=2026-12-01`);
    expect(day1.text).toContain('共 60 条事件');
    const day2 = await admin.get(`/audit?street=${streetA.id}&action=call.&from=2026-12-02&to=2026-12-02`);
    expect(day2.text).toContain('共 60 条事件');
  });

  it('refuses bad filters with 422, a clear message and what was typed', async () => {
    const bad = await admin.get('/audit?from=2026-02-30&to=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('“2026-02-30”不是有效日期');
    expect(bad.text).toContain('value="yesterday"');
    const reversed = await admin.get('/audit?from=2026-12-05&to=2026-12-01');
    expect(reversed.status).toBe(422);
    expect(reversed.text).toContain('结束日期不能早于开始日期');
    expect((await admin.get('/audit?user=nobody.here')).text).toContain('没有用户名为“nobody.here”的用户');
    expect((await admin.get('/audit?action=DROP%20TABLE')).status).toBe(422);
  });

  it('bounds the count: past 1,000 it says "more than 1000"', async () => {
    const actor: Actor = { userId: null, label: 'system', role: null, ip: null, requestId: null };
    await ctx.db.transaction(async (trx) => {
      for (let i = 0; i < 1001; i++)
        await recordAudit(trx, actor, { action: 'demo.seed', subjectType: 'system' }, new Date('2026-12-04T02:00:00Z'));
    });
    const res = await admin.get('/audit?action=demo.seed');
    expect(res.text).toContain('超过 1000 条事件');
    expect(rowsOf(res.text)).toHaveLength(50);
  }, 180_000); // 1,001 chained events: slow on a shared PostgreSQL
});

describe('one event', () => {
  it('shows before and after as labelled fields, the changed ones marked', async () => {
    const event = await ctx
      .db('audit_events')
      .where({ action: 'street_office.rename', street_office_id: streetA.id })
      .first();
    const res = await admin.get(`/audit/${event.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<tr class="changed">\s*<th scope="row">名称/);
    expect(res.text).toContain('<del>甲旧名</del>');
    expect(res.text).toContain('<ins>甲新名</ins>');
    expect(res.text).toMatch(/<th scope="row">区县<\/th>\s*<td>甲区<\/td>\s*<td>甲区<\/td>/);
    expect(res.text).toContain(event.hash);
  });
});

describe('who sees what', () => {
  it("shows an auditor none of another street's events: list, event page, export", async () => {
    const list = await auditorA.get('/audit?subjectType=street_office');
    expect(rowsOf(list.text)).toHaveLength(1);
    const other = await ctx.db('audit_events').where({ street_office_id: streetB.id }).first();
    expect((await auditorA.get(`/audit/${other.id}`)).status).toBe(404);
    const refused = await auditorA.get(`/audit?street=${streetB.id}`);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('您没有被指派审计该街道');
    const csv = await auditorA.get('/audit/export.csv?subjectType=street_office');
    expect(csv.text).toContain('甲新名');
    expect(csv.text).not.toContain('乙新名');
  });

  it.each(['manager', 'org_staff', 'approver', 'reviewer'] as const)(
    'refuses a %s every audit trail route but the public ones',
    async (role) => {
      const { agent } = await loginAs(ctx, role);
      for (const path of ['/audit', '/audit/export.csv', '/audit/verify', '/audit/1'])
        expect((await agent.get(path)).status).toBe(403);
      expect((await agent.get('/public/audit-checkpoints')).status).toBe(200);
    },
  );

  it('sends an anonymous visitor to sign in, except on the public checkpoint pages', async () => {
    for (const path of ['/audit', '/audit/export.csv', '/audit/verify', '/audit/1'])
      expect((await request(ctx.app).get(path)).status).toBe(303);
    for (const path of [
      '/public/audit-checkpoints',
      '/public/audit-checkpoints.json',
      '/public/audit-checkpoints/verify',
    ])
      expect((await request(ctx.app).get(path)).status).toBe(200);
  });
});

describe('the CSV export', () => {
  it('streams the filtered events as UTF-8 with a BOM under a Chinese file name, and is audited', async () => {
    const res = await admin
      .get(`/audit/export.csv?street=${streetA.id}&action=call.draft_update`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-trail-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-/,
    );
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['事件编号', '时间（北京时间）', '时间（UTC）', '操作人']);
    expect(lines).toHaveLength(121);
    expect(lines[1]).toContain('甲主管（');
    expect(lines[1]).toContain('修改了项目公告草稿 《甲街道助老服务》');
    const exported = await ctx.db('audit_events').where({ action: 'audit.export' }).orderBy('id', 'desc').first();
    expect(JSON.parse(exported.after_json)).toEqual({
      format: 'csv',
      filters: { street: String(streetA.id), action: 'call.draft_update' },
    });
    expect(Number(exported.street_office_id)).toBe(streetA.id);
  });

  it('refuses bad filters with 422 instead of a file', async () => {
    const res = await admin.get('/audit/export.csv?from=2026-13-01');
    expect(res.status).toBe(422);
    expect(res.headers['content-disposition']).toBeUndefined();
  });
});

describe('the dashboard', () => {
  it("shows the administrator's recent events as sentences", async () => {
    const res = await admin.get('/dashboard');
    expect(res.text).toMatch(/登录了系统/);
    expect(text(res.text)).not.toMatch(/auth\.sign_in/);
  });
});
