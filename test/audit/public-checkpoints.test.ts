import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { auditedTransaction, recordAudit, systemActor } from '../../src/audit/audit';
import {
  beijingDay,
  publicAuditHead,
  PUBLIC_CHECKPOINTS_PATH,
  PUBLIC_CHECKPOINTS_JSON_PATH,
  PUBLIC_CHECKPOINT_VERIFY_PATH,
} from '../../src/audit';
import { loginAs } from '../helpers/http';
import { makeCall } from '../bids/helpers';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());

const record = (at: string, extra: { sealedCallId?: number } = {}) =>
  ctx.db.transaction((trx) =>
    recordAudit(trx, systemActor, { action: 'test.event', subjectType: 'test', ...extra }, new Date(at)),
  );
const head = async () => ctx.db('audit_chain_head').where({ id: 1 }).first();

describe('daily checkpoints', () => {
  it('reads the Beijing day', () => {
    expect(beijingDay(new Date('2026-12-01T15:59:59Z'))).toBe('2026-12-01');
    expect(beijingDay(new Date('2026-12-01T16:00:00Z'))).toBe('2026-12-02');
  });

  it('are written by the first main-chain event of a day, noting the chain before it, once', async () => {
    await record('2026-12-03T01:00:00Z');
    const before = await head();
    await record('2026-12-03T16:30:00Z'); // 2026-12-04 00:30 Beijing: the first event of a new day
    await record('2026-12-04T02:00:00Z'); // the same Beijing day
    const rows = await ctx.db('audit_checkpoints').where({ day: '2026-12-04' });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].event_id)).toBe(Number(before.last_event_id));
    expect(rows[0].hash).toBe(before.last_hash);
  });

  it('are not written by a sealed bid event (its appearance would tell that someone bid)', async () => {
    const call = await makeCall(ctx, { street_office_id: (await ctx.make.streetOffice()).id });
    await record('2026-12-05T16:10:00Z', { sealedCallId: Number(call.id) });
    expect(await ctx.db('audit_checkpoints').where({ day: '2026-12-06' }).first()).toBeUndefined();
  });

  it('cannot be edited or deleted', async () => {
    await expect(ctx.db('audit_checkpoints').update({ hash: 'x' })).rejects.toThrow(/append-only/);
    await expect(ctx.db('audit_checkpoints').delete()).rejects.toThrow(/append-only/);
  });

  it('are one per day when several writers race on the first event of the day', async () => {
    const at = new Date('2026-12-07T16:05:00Z');
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        auditedTransaction(ctx.db, systemActor, at, async () => ({
          result: i,
          audit: { action: 'test.race', subjectType: 'test', subjectId: i },
        })),
      ),
    );
    const rows = await ctx.db('audit_checkpoints').where({ day: '2026-12-08' });
    expect(rows).toHaveLength(1);
    // It is a point on the chain: the event it names has its hash.
    const event = await ctx.db('audit_events').where({ id: rows[0].event_id }).first();
    expect(event.hash).toBe(rows[0].hash);
  });
});

describe('publicAuditHead', () => {
  it('gives the live count and head hash and the newest checkpoint', async () => {
    const h = await head();
    const got = await publicAuditHead(ctx.db);
    expect(got.eventCount).toBe(Number(h.last_event_id));
    expect(got.headHash).toBe(h.last_hash);
    expect(got.latestCheckpoint).toMatchObject({ day: '2026-12-08' });
  });

  it('does not move when a sealed bid is recorded', async () => {
    const call = await makeCall(ctx, { street_office_id: (await ctx.make.streetOffice()).id });
    const before = await publicAuditHead(ctx.db);
    await record('2026-12-09T16:10:00Z', { sealedCallId: Number(call.id) });
    expect(await publicAuditHead(ctx.db)).toEqual(before);
  });
});

describe('the public checkpoint pages', () => {
  it('list the checkpoints and the head without sign-in, writing nothing', async () => {
    const counts = async () => [
      Number((await ctx.db('audit_checkpoints').count({ n: '*' }))[0].n),
      Number((await ctx.db('sessions').count({ n: '*' }))[0].n),
      Number((await head()).last_event_id),
    ];
    const before = await counts();
    const res = await request(ctx.app).get(PUBLIC_CHECKPOINTS_PATH);
    expect(res.status).toBe(200);
    const cp = await ctx.db('audit_checkpoints').where({ day: '2026-12-04' }).first();
    expect(res.text).toContain(cp.hash);
    expect(res.text).toContain((await head()).last_hash);
    expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^sf\.sid/)]));
    await request(ctx.app).get(PUBLIC_CHECKPOINTS_JSON_PATH);
    await request(ctx.app).get(`${PUBLIC_CHECKPOINT_VERIFY_PATH}?event=${cp.event_id}&hash=${cp.hash}`);
    expect(await counts()).toEqual(before);
  });

  it('refuse a malformed day with 422', async () => {
    const res = await request(ctx.app).get(`${PUBLIC_CHECKPOINTS_PATH}?before=2026-13`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('YYYY-MM-DD');
  });

  it('download every checkpoint as JSON with a Chinese file name', async () => {
    const res = await request(ctx.app)
      .get(PUBLIC_CHECKPOINTS_JSON_PATH)
      .buffer(true)
      .parse((r, cb) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString('utf8')));
        r.on('end', () => cb(null, body));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''%E5%AE%A1%E8%AE%A1");
    const parsed = JSON.parse(res.body as string);
    const days = parsed.checkpoints.map((c: { day: string }) => c.day);
    expect(days).toEqual([...days].sort());
    expect(days).toContain('2026-12-04');
    expect(parsed.head.eventCount).toBe(Number((await head()).last_event_id));
  });

  it('check a checkpoint: passes, another hash, beyond the chain, malformed', async () => {
    const cp = await ctx.db('audit_checkpoints').where({ day: '2026-12-04' }).first();
    const ok = await request(ctx.app).get(`${PUBLIC_CHECKPOINT_VERIFY_PATH}?event=${cp.event_id}&hash=${cp.hash}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('审计链经过该检查点');
    const other = await request(ctx.app).get(
      `${PUBLIC_CHECKPOINT_VERIFY_PATH}?event=${cp.event_id}&hash=${'a'.repeat(64)}`,
    );
    expect(other.text).toContain('审计链未经过该检查点');
    const beyond = await request(ctx.app).get(`${PUBLIC_CHECKPOINT_VERIFY_PATH}?event=999999&hash=${'a'.repeat(64)}`);
    expect(beyond.text).toContain('审计链未到达该检查点');
    const bad = await request(ctx.app)
      .get(`${PUBLIC_CHECKPOINT_VERIFY_PATH}?event=x&hash=zz`)
      .set('Cookie', 'sf.lang=en');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter the event number');
    expect((await request(ctx.app).get(PUBLIC_CHECKPOINT_VERIFY_PATH)).status).toBe(200);
  });

  it('answer a signed-in user too', async () => {
    const { agent } = await loginAs(ctx, 'org_staff');
    expect((await agent.get(PUBLIC_CHECKPOINTS_PATH)).status).toBe(200);
  });
});
