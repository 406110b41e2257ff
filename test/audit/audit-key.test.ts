import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type TestDb } from '../helpers/db';
import {
  hashEvent,
  headMac,
  keyedHashEvent,
  markAuditChainKeyed,
  recordAudit,
  systemActor,
  type AuditRow,
} from '../../src/audit/audit';
import { verifyAuditChain, verifyAll } from '../../src/audit/verify';
import { parseCheckpoint } from '../../src/audit/verify-cli';
import { loadConfig, TEST_AUDIT_KEY } from '../../src/config';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.destroy());

const now = new Date('2026-12-01T02:00:00.000Z');
async function append(n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    await t.db.transaction((trx) =>
      recordAudit(trx, systemActor, { action: 'test.event', subjectType: 'test', subjectId: i, after: { i } }, now),
    );
  }
}

async function dropTriggers() {
  if (t.dialect === 'sqlite') {
    await t.db.raw('DROP TRIGGER audit_events_no_update');
    await t.db.raw('DROP TRIGGER audit_events_no_delete');
  } else {
    await t.db.raw('DROP TRIGGER audit_events_no_change ON audit_events');
  }
}

const events = async (): Promise<AuditRow[]> =>
  (await t.db('audit_events').orderBy('id')).map((r: AuditRow) => ({ ...r, id: Number(r.id) }));
const sha256 = (row: Omit<AuditRow, 'hash'>) => hashEvent(row);
const otherKey = (row: Omit<AuditRow, 'hash'>) => keyedHashEvent(row, 'a-key-that-is-not-the-audit-key-0123456789');

/** What someone with write access to the database but without the key can do: rewrite every
 *  event from `fromId` with a hash function of their choosing, and the head to match. */
async function rehashFrom(fromId: number, hash: (row: Omit<AuditRow, 'hash'>) => string) {
  const rows = await events();
  let prev = fromId === 1 ? '0'.repeat(64) : rows[fromId - 2].hash;
  for (const row of rows.filter((r) => r.id >= fromId)) {
    const fixed = { ...row, prev_hash: prev };
    const h = hash(fixed);
    await t
      .db('audit_events')
      .where({ id: row.id })
      .update({ prev_hash: prev, hash: `tmp${row.id}` });
    await t.db('audit_events').where({ id: row.id }).update({ hash: h });
    prev = h;
  }
  await t.db('audit_chain_head').where({ id: 1 }).update({ last_event_id: rows.length, last_hash: prev });
}

describe('the keyed audit chain (HMAC-SHA256 with AUDIT_KEY)', () => {
  it('stores HMACs, not plain SHA-256, and verifies', async () => {
    await append(3);
    const [first] = await events();
    expect(first.hash).toBe(keyedHashEvent(first, TEST_AUDIT_KEY));
    expect(first.hash).not.toBe(hashEvent(first));
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 3 });
  });

  it('detects deleting the newest event and rewinding the head', async () => {
    await append(5);
    await dropTriggers();
    const rows = await events();
    await t.db('audit_events').where({ id: 5 }).delete();
    await t.db('audit_chain_head').where({ id: 1 }).update({ last_event_id: 4, last_hash: rows[3].hash });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, reason: 'head', brokenAt: 5 });
  });

  it.each([
    ['plain SHA-256', sha256],
    ['an HMAC with another key', otherKey],
  ])('detects an edited event when the rest is re-hashed with %s', async (_name, fn) => {
    await append(5);
    await dropTriggers();
    await t.db('audit_events').where({ id: 3 }).update({ after_json: '{"i":999}' });
    await rehashFrom(3, fn);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash' });
  });

  it('detects an appended forged event', async () => {
    await append(3);
    const rows = await events();
    const forged = { ...rows[2], id: 4, action: 'fund.forged', prev_hash: rows[2].hash };
    const hash = otherKey(forged);
    await t.db('audit_events').insert({ ...forged, hash });
    await t.db('audit_chain_head').where({ id: 1 }).update({ last_event_id: 4, last_hash: hash });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenAt: 4, reason: 'hash' });
  });

  it('detects a chain re-hashed as if it had never been keyed', async () => {
    await append(3);
    await dropTriggers();
    await rehashFrom(1, sha256);
    await t.db('audit_chain_head').where({ id: 1 }).update({ keyed_from_id: null, head_mac: null });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, reason: 'unkeyed' });
    await t
      .db('audit_chain_head')
      .where({ id: 1 })
      .update({
        keyed_from_id: 99,
        head_mac: headMac(3, (await events())[2].hash, 99, 'not-the-key-0123456789-0123456789-0123'),
      });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, reason: 'head' });
  });
});

describe('an earlier install (unkeyed events)', () => {
  /** Writes events as the code before the key did: SHA-256, no head MAC. */
  async function legacy(n: number) {
    let prev = '0'.repeat(64);
    for (let id = 1; id <= n; id++) {
      const row = {
        id,
        occurred_at: now.toISOString(),
        actor_user_id: null,
        actor_label: 'system',
        actor_role: null,
        street_office_id: null,
        organization_id: null,
        action: 'legacy.event',
        subject_type: 'test',
        subject_id: String(id),
        before_json: null,
        after_json: null,
        ip: null,
        request_id: null,
        prev_hash: prev,
      };
      prev = hashEvent(row);
      await t.db('audit_events').insert({ ...row, hash: prev });
    }
    await t.db('audit_chain_head').where({ id: 1 }).update({ last_event_id: n, last_hash: prev });
  }

  it('still verifies once start-up has marked the point from which events are keyed', async () => {
    await legacy(3);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, reason: 'unkeyed' });
    await markAuditChainKeyed(t.db);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 3 });
    await append(2);
    expect(await t.db('audit_chain_head').first('keyed_from_id')).toEqual({ keyed_from_id: 4 });
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 5 });
    const rows = await events();
    expect(rows[2].hash).toBe(hashEvent(rows[2]));
    expect(rows[3].hash).toBe(keyedHashEvent(rows[3], TEST_AUDIT_KEY));
  });

  it('does not let the keyed events be passed off as legacy ones', async () => {
    await legacy(2);
    await markAuditChainKeyed(t.db);
    await append(2);
    await dropTriggers();
    await t.db('audit_events').where({ id: 4 }).update({ after_json: '{"i":999}' });
    await rehashFrom(3, sha256);
    await t.db('audit_chain_head').where({ id: 1 }).update({ keyed_from_id: 5 });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, reason: 'head' });
  });
});

describe('a checkpoint noted outside the database', () => {
  it('is passed through by an intact chain that has grown since', async () => {
    await append(3);
    const third = (await events())[2];
    await append(2, 3);
    expect(await verifyAuditChain(t.db, { checkpoint: { count: 3, hash: third.hash } })).toEqual({
      ok: true,
      count: 5,
      checkpoint: 'passes',
    });
  });

  it('is not passed through by a chain rebuilt by someone holding the key, or cut back before it', async () => {
    await append(3);
    const noted = { count: 3, hash: (await events())[2].hash };
    await dropTriggers();
    await t.db('audit_events').where({ id: 2 }).update({ after_json: '{"i":999}' });
    await rehashFrom(2, (row) => keyedHashEvent(row, TEST_AUDIT_KEY));
    const [head] = await t.db('audit_chain_head');
    await t
      .db('audit_chain_head')
      .update({ head_mac: headMac(3, head.last_hash, Number(head.keyed_from_id), TEST_AUDIT_KEY) });
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, count: 3 });
    expect(await verifyAuditChain(t.db, { checkpoint: noted })).toEqual({ ok: true, count: 3, checkpoint: 'diverges' });
    expect((await verifyAll(t.db, { checkpoint: noted })).ok).toBe(false);
    expect(await verifyAuditChain(t.db, { checkpoint: { count: 7, hash: noted.hash } })).toMatchObject({
      checkpoint: 'missing',
    });
  });

  it('is read from the command line as COUNT:HASH', () => {
    const hash = 'ab'.repeat(32);
    expect(parseCheckpoint(['--checkpoint', `12:${hash}`])).toEqual({ count: 12, hash });
    expect(parseCheckpoint([`--checkpoint=12:${hash.toUpperCase()}`])).toEqual({ count: 12, hash });
    expect(parseCheckpoint([])).toBeUndefined();
    expect(() => parseCheckpoint(['--checkpoint', '12:nothex'])).toThrow(/COUNT:HASH/);
  });
});

describe('the key itself', () => {
  it('is required in production and must be long enough', () => {
    const secret = 'x'.repeat(40);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret })).toThrow(/AUDIT_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, AUDIT_KEY: 'short' })).toThrow(
      /AUDIT_KEY/,
    );
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, AUDIT_KEY: 'k'.repeat(32) }).auditKey).toBe(
      'k'.repeat(32),
    );
  });

  it('is generated on first start in development into a 0600 file outside the database, then reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-key-'));
    const file = path.join(dir, 'sub', 'audit.key');
    try {
      const first = loadConfig({ AUDIT_KEY_FILE: file }).auditKey;
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadConfig({ AUDIT_KEY_FILE: file }).auditKey).toBe(first);
      expect(loadConfig({ AUDIT_KEY_FILE: path.join(dir, 'other.key') }).auditKey).not.toBe(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
