import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig, TEST_AUDIT_KEY } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { useAuditKey } from '../../src/audit/audit';
import { verifyAll } from '../../src/audit/verify';
import { negativeHoldings, reconcile } from '../../src/modules/funds';
import { paymentInvariants } from '../../src/modules/payments';
import { proposePayment } from '../../src/modules/payments/service';
import { systemActor } from '../../src/audit/audit';
import { TestClock } from '../../src/shared/clock';
import { Factories, TEST_PASSWORD } from '../helpers/factories';
import { onPostgres } from '../helpers/db';
import type { TestContext } from '../helpers/app';
import { closeWith, invoiceFor, sharedSourceContracts } from './factory';

// Kills the app process (SIGKILL: no shutdown, no flush) in the middle of a burst of approvals on
// SQLite, starts it again on the same file, and finds every approval either wholly there or wholly
// absent: the ledger reconciles, the payments agree with it, the audit chain verifies; the
// approvals that did not happen then go through. Runs the built server (npm run build).
const maybe = onPostgres ? it.skip : it;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-crash-'));
const file = path.join(dir, 'crash.sqlite3');
const port = 3390 + (process.pid % 9);
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  NODE_ENV: 'development',
  PORT: String(port),
  SQLITE_FILE: file,
  AUDIT_KEY: TEST_AUDIT_KEY,
  UPLOAD_DIR: path.join(dir, 'uploads'),
  MFA_KEY_FILE: path.join(dir, 'mfa.key'),
  LOG_LEVEL: 'silent',
  DATABASE_URL: '',
};
let child: ChildProcess | undefined;

async function startServer(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['dist/src/server.js'], { env, stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/login`)).ok) return proc;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the app did not start');
}

afterAll(() => {
  child?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

maybe(
  'keeps the ledger balanced and the audit chain intact when the app is killed during a burst of approvals',
  async () => {
    execSync('npm run build --silent', { stdio: 'ignore' });
    const db = createDb({ databaseUrl: '', sqliteFile: file });
    await migrateLatest(db);
    const config = { ...loadConfig({ NODE_ENV: 'test' }), uploadDir: env.UPLOAD_DIR };
    useAuditKey(TEST_AUDIT_KEY);
    const clock = new TestClock();
    const ctx = { db, clock, config, make: new Factories(db, clock), dialect: 'sqlite' } as unknown as TestContext;
    const contracts = await sharedSourceContracts(ctx, 8);
    const ids: number[] = [];
    for (const c of contracts) {
      for (const m of c.milestones) {
        if (!m.advance) await closeWith(ctx, c, m.seq, 9000);
        await invoiceFor(ctx, c, m.seq);
        ids.push(await proposePayment(ctx, systemActor, c.manager, c.contractId, m.seq, {}));
      }
    }
    await db.destroy();

    child = await startServer();
    const agent = request.agent(base);
    const token = async () => /name="_csrf" value="([^"]+)"/.exec((await agent.get('/payments/queue')).text)![1];
    const signInToken = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/login')).text)![1];
    expect(
      (
        await agent
          .post('/login')
          .type('form')
          .send({ _csrf: signInToken, username: contracts[0].approverRow.username, password: TEST_PASSWORD })
      ).status,
    ).toBe(303);
    const csrf = await token();
    let answered = 0;
    const burst = ids.map((id, i) =>
      agent
        .post(`/payments/proposals/${id}/approval`)
        .type('form')
        .send({ _csrf: csrf, _once: `crash-${id}-${i}-0123456789` })
        .then((r) => {
          answered += 1;
          return r.status;
        })
        .catch(() => 0),
    );
    // Killed as soon as the first approval is committed, as another connection to the file sees it:
    // the approvals still queued behind SQLite's one writer are cut off. (Waiting for an answer let a
    // quiet machine finish the whole burst first: the answer also waits for its session's write,
    // which queues behind every other approval.)
    const watcher = createDb({ databaseUrl: '', sqliteFile: file });
    try {
      const committed = async () =>
        Number(
          (await watcher('payment_proposals').whereIn('id', ids).where({ status: 'approved' }).count({ n: '*' }))[0].n,
        );
      while ((await committed()) < 1 && answered === 0) await new Promise((r) => setTimeout(r, 1));
      child.kill('SIGKILL');
    } finally {
      await watcher.destroy();
    }
    const statuses = await Promise.all(burst);
    const answeredReleased = ids.filter((_id, i) => statuses[i] === 303);

    child = await startServer();
    const after = createDb({ databaseUrl: '', sqliteFile: file });
    try {
      expect(await reconcile(after)).toEqual([]);
      expect(await negativeHoldings(after)).toEqual([]);
      expect(await paymentInvariants(after)).toEqual([]);
      expect((await verifyAll(after)).ok).toBe(true);
      const approved = await after('payment_proposals').whereIn('id', ids).where({ status: 'approved' }).pluck('id');
      const paid = await after('payments').whereIn('proposal_id', ids).pluck('proposal_id');
      expect(paid.map(Number).sort()).toEqual(approved.map(Number).sort());
      expect(approved.length).toBeGreaterThanOrEqual(1); // the kill came after a commit…
      expect(approved.length).toBeLessThan(ids.length); // …and cut the burst short
      // An approval answered as done is there after the crash (none is acknowledged and then lost).
      expect(approved.map(Number)).toEqual(expect.arrayContaining(answeredReleased));
      // The rest go through after the restart.
      const again = request.agent(base);
      const t = /name="_csrf" value="([^"]+)"/.exec((await again.get('/login')).text)![1];
      await again
        .post('/login')
        .type('form')
        .send({ _csrf: t, username: contracts[0].approverRow.username, password: TEST_PASSWORD });
      const csrf2 = /name="_csrf" value="([^"]+)"/.exec((await again.get('/payments/queue')).text)![1];
      for (const id of ids.filter((x) => !approved.map(Number).includes(x))) {
        expect(
          (
            await again
              .post(`/payments/proposals/${id}/approval`)
              .type('form')
              .send({ _csrf: csrf2, _once: `after-${id}-0123456789abc` })
          ).status,
        ).toBe(303);
      }
      expect(await reconcile(after)).toEqual([]);
      expect(await paymentInvariants(after)).toEqual([]);
      expect((await verifyAll(after)).ok).toBe(true);
      expect(
        await after('contracts')
          .whereIn(
            'id',
            contracts.map((c) => c.contractId),
          )
          .where({ status: 'completed' }),
      ).toHaveLength(contracts.length);
    } finally {
      await after.destroy();
    }
  },
  240_000,
);
