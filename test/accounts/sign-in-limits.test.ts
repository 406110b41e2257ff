import bcrypt from 'bcryptjs';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/app';
import { csrfFrom, postForm, signIn } from '../helpers/http';
import { TEST_PASSWORD } from '../helpers/factories';
import * as passwords from '../../src/modules/accounts/passwords';
import { loadConfig } from '../../src/config';

/** Issue 7, items 1, 2, 4, 6 and 12: sign-in attempts under load, their cost, waits and addresses. These
 *  run real parallel requests, on SQLite and (TEST_DATABASE_URL) on PostgreSQL. */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx.close());
afterEach(() => jest.restoreAllMocks());

/** A sign-in form post from a fresh visitor (its own session and CSRF token). */
async function attempt(
  app: TestContext['app'],
  username: string,
  password: string,
  headers: Record<string, string> = {},
) {
  const agent = request.agent(app);
  const token = await csrfFrom(agent);
  let req = agent.post('/login').type('form');
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  return req.send({ _csrf: token, username, password });
}

/** Tokens first, then all posts at once, so the posts really run in parallel. */
async function parallelAttempts(
  app: TestContext['app'],
  count: number,
  username: (i: number) => string,
  password = 'wrong password',
) {
  const prepared = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const agent = request.agent(app);
      return { agent, token: await csrfFrom(agent), username: username(i) };
    }),
  );
  return Promise.all(
    prepared.map((p) => p.agent.post('/login').type('form').send({ _csrf: p.token, username: p.username, password })),
  );
}

describe('parallel failed sign-ins (item 1)', () => {
  it('leave the database writable: 20 at once, then a correct sign-in and a write succeed', async () => {
    const local = await createTestContext({
      signIn: { perAccount: 5, perAddress: 1000, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      const victim = await local.make.user('manager');
      const results = await parallelAttempts(local.app, 20, (i) => (i % 2 ? victim.username : `nobody${i}`));
      // 401 wrong, 429 wait, 503 password queue full (with a message): never a 500.
      expect(results.map((r) => r.status).filter((s) => ![401, 429, 503].includes(s))).toEqual([]);

      const admin = await local.make.user('admin');
      const agent = await signIn(local, admin.username);
      const res = await postForm(
        agent,
        '/admin/street-offices',
        { name: '并发后街道', district: '测试区' },
        '/admin/street-offices',
      );
      expect(res.status).toBe(303);
      expect(await local.db('street_offices').where({ name: '并发后街道' }).first()).toBeDefined();
    } finally {
      await local.close();
    }
  });
});

describe('attempts are counted before the password is checked (item 2)', () => {
  it('runs at most the allowance of password checks for 40 parallel wrong passwords on one account', async () => {
    const local = await createTestContext({
      signIn: { perAccount: 5, perAddress: 1000, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      const user = await local.make.user('approver');
      const checks = jest.spyOn(passwords, 'verifyPasswordOrDummy');
      const results = await parallelAttempts(local.app, 40, () => user.username);
      expect(checks).toHaveBeenCalledTimes(5);
      expect(results.filter((r) => r.status === 401)).toHaveLength(5);
      expect(results.filter((r) => r.status === 429)).toHaveLength(35);
      // The owner, with the right password, waits the first delay, then gets in.
      expect((await attempt(local.app, user.username, TEST_PASSWORD)).status).toBe(429);
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, user.username, TEST_PASSWORD)).status).toBe(303);
      expect(checks).toHaveBeenCalledTimes(6);
    } finally {
      await local.close();
    }
  });

  it('hashes off the main thread with a short queue, refusing the overflow instead of queueing it', async () => {
    const hash = await bcrypt.hash('secret', 8);
    const all = Array.from({ length: passwords.PASSWORD_QUEUE_LIMIT + 6 }, () =>
      passwords.verifyPassword('secret', hash).then(
        (ok) => ({ ok }),
        (err: unknown) => ({ err }),
      ),
    );
    const settled = await Promise.all(all);
    expect(settled.filter((s) => 'ok' in s && s.ok === true)).toHaveLength(passwords.PASSWORD_QUEUE_LIMIT);
    const refused = settled.filter((s) => 'err' in s);
    expect(refused).toHaveLength(6);
    expect(refused.every((s) => 'err' in s && s.err instanceof passwords.PasswordWorkBusy)).toBe(true);
    // And the pool serves again once the queue has drained.
    expect(await passwords.verifyPassword('secret', hash)).toBe(true);
    expect(await passwords.verifyPassword('other', hash)).toBe(false);
  });

  it('keeps the event loop free while a costly hash runs', async () => {
    let ticks = 0;
    let longest = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks += 1;
    }, 5);
    try {
      const started = Date.now();
      await passwords.hashPassword('a costly password', 12);
      const took = Date.now() - started;
      // bcryptjs on the main thread would run this in long synchronous slices; in the worker, the
      // main thread's timers keep firing throughout.
      expect(ticks).toBeGreaterThan(took / 5 / 4);
      expect(longest).toBeLessThan(Math.max(250, took / 2));
    } finally {
      clearInterval(timer);
    }
  });

  it('answers a sign-in with 503 and a message on the sign-in page when the password queue is full, and gives the attempt back', async () => {
    const user = await ctx.make.user('reviewer');
    const agent = request.agent(ctx.app);
    const token = await csrfFrom(agent);
    // Keep the queue full while the sign-in runs: each filler puts a new check in as soon as its last
    // one is answered (in the same turn of the event loop, so no request can take the freed place).
    const costly = await bcrypt.hash('x', 8);
    let filling = true;
    const keepFull = async () => {
      while (filling) await passwords.verifyPassword('x', costly).catch(() => new Promise((r) => setTimeout(r, 5)));
    };
    const fillers = Array.from({ length: passwords.PASSWORD_QUEUE_LIMIT }, keepFull);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: token, username: user.username, password: 'wrong password' });
    filling = false;
    await Promise.all(fillers);
    expect(res.status).toBe(503);
    expect(res.text).toContain('服务器正忙于处理其他登录');
    expect(res.text).toContain(`value="${user.username}"`);
    const row = await ctx
      .db('attempt_limits')
      .where({ key: `account:${user.username}` })
      .first();
    expect(Number(row.attempts)).toBe(0);
  });
});

describe('the dummy hash for unknown users (item 4)', () => {
  it('has the configured cost, computed once', async () => {
    const a = await passwords.dummyHash(6);
    expect(bcrypt.getRounds(a)).toBe(6);
    expect(await passwords.dummyHash(6)).toBe(a);
    expect(bcrypt.getRounds(await passwords.dummyHash(ctx.config.bcryptRounds))).toBe(ctx.config.bcryptRounds);
  });

  it('makes an unknown user take about as long as a real one', async () => {
    const rounds = 10;
    const real = await passwords.hashPassword('the real one', rounds);
    await passwords.dummyHash(rounds);
    const time = async (f: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = process.hrtime.bigint();
        await f();
        samples.push(Number(process.hrtime.bigint() - t));
      }
      return samples.sort((x, y) => x - y)[2];
    };
    const known = await time(() => passwords.verifyPasswordOrDummy('wrong', real, rounds));
    const unknown = await time(() => passwords.verifyPasswordOrDummy('wrong', undefined, rounds));
    // Wide bounds, as the machine is shared; a cost-4 dummy against cost 10 gives about 1/60.
    expect(unknown / known).toBeGreaterThan(0.25);
    expect(unknown / known).toBeLessThan(4);
  });
});

describe('growing waits instead of a lock (item 12)', () => {
  it('lets the owner try again after a wait that doubles with each further attempt, and says when', async () => {
    const local = await createTestContext({
      signIn: { perAccount: 3, perAddress: 1000, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      const user = await local.make.user('manager');
      for (let i = 0; i < 3; i++) expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      // The third failure set a 30 s wait.
      const refused = await attempt(local.app, user.username, TEST_PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('30');
      // 2026-11-25T02:00:00Z is 10:00 in Beijing; 30 s later rounds up to 10:01.
      expect(refused.text).toContain('请于北京时间 10:01 之后（约 30 秒后）再试');
      // A refused attempt does not lengthen the wait.
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      // That fourth failure doubled the wait: 60 s.
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, user.username, TEST_PASSWORD)).status).toBe(429);
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, user.username, TEST_PASSWORD)).status).toBe(303);
      // Success starts the account afresh: three more failures are allowed without a wait.
      for (let i = 0; i < 3; i++) expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
    } finally {
      await local.close();
    }
  });

  it('caps the wait at the window and forgets an account after a quiet window', async () => {
    const local = await createTestContext({
      signIn: { perAccount: 1, perAddress: 1000, windowMinutes: 2, firstDelaySeconds: 30 },
    });
    try {
      const user = await local.make.user('manager');
      expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      for (const wait of [30, 60, 120, 120]) {
        local.clock.advance(wait * 1000 - 1000);
        expect([wait, (await attempt(local.app, user.username, 'wrong password')).status]).toEqual([wait, 429]);
        local.clock.advance(1000);
        expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      }
      // Reaching the cap does not start afresh; a quiet window after the last wait does.
      local.clock.advance(2 * 60 * 1000);
      expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      local.clock.advance(2 * 60 * 1000 + 2 * 60 * 1000);
      expect((await attempt(local.app, user.username, 'wrong password')).status).toBe(401);
      const fresh = await attempt(local.app, user.username, TEST_PASSWORD);
      expect(fresh.status).toBe(429);
      expect(fresh.headers['retry-after']).toBe('30');
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, user.username, TEST_PASSWORD)).status).toBe(303);
    } finally {
      await local.close();
    }
  });

  it('slows an address trying many accounts, in English too', async () => {
    const local = await createTestContext({
      signIn: { perAccount: 100, perAddress: 3, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      for (let i = 0; i < 3; i++) expect((await attempt(local.app, `someone${i}`, 'wrong password')).status).toBe(401);
      const refused = await attempt(local.app, 'someone-else', 'wrong password', { Cookie: 'sf.lang=en' });
      expect(refused.status).toBe(429);
      expect(refused.text).toContain(
        'Too many sign-in attempts. Please try again after 10:01 Beijing time (in about 30 seconds).',
      );
      local.clock.advance(30 * 1000);
      expect((await attempt(local.app, 'someone-else', 'wrong password')).status).toBe(401);
    } finally {
      await local.close();
    }
  });
});

describe('TRUST_PROXY (item 6)', () => {
  it('takes a number of hops or a list of proxy addresses, and refuses "true"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,192.168.1.5' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback',
      '192.168.1.5',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/number of proxies/);
    expect(() => loadConfig({ TRUST_PROXY: 'my-balancer' })).toThrow(/TRUST_PROXY/);
  });

  it('with one trusted hop, a forged X-Forwarded-For changes neither the address limited nor the one audited', async () => {
    const config = loadConfig({ NODE_ENV: 'test', TRUST_PROXY: '1' });
    const local = await createTestContext({
      trustProxy: config.trustProxy,
      signIn: { perAccount: 100, perAddress: 3, windowMinutes: 15, firstDelaySeconds: 30 },
    });
    try {
      // The balancer appends the address it saw (203.0.113.9); everything left of it is the client's.
      for (let i = 0; i < 3; i++) {
        const res = await attempt(local.app, `probe${i}`, 'wrong password', {
          'X-Forwarded-For': `198.51.100.${i}, 203.0.113.9`,
        });
        expect(res.status).toBe(401);
      }
      const forged = await attempt(local.app, 'probe9', 'wrong password', {
        'X-Forwarded-For': '192.0.2.77, 203.0.113.9',
      });
      expect(forged.status).toBe(429);
      // Another real client behind the same balancer is not affected.
      expect((await attempt(local.app, 'probe9', 'wrong password', { 'X-Forwarded-For': '203.0.113.10' })).status).toBe(
        401,
      );
      const ips = await local.db('audit_events').where({ action: 'auth.sign_in_failed' }).orderBy('id').pluck('ip');
      expect(ips).toEqual(['203.0.113.9', '203.0.113.9', '203.0.113.9', '203.0.113.10']);
    } finally {
      await local.close();
    }
  });

  it('with a list of proxies, skips only those', async () => {
    const config = loadConfig({ NODE_ENV: 'test', TRUST_PROXY: 'loopback, 10.0.0.0/8' });
    const local = await createTestContext({ trustProxy: config.trustProxy });
    try {
      await attempt(local.app, 'probe-list', 'wrong password', {
        'X-Forwarded-For': '192.0.2.1, 198.51.100.7, 10.1.2.3',
      });
      const event = await local
        .db('audit_events')
        .where({ action: 'auth.sign_in_failed' })
        .orderBy('id', 'desc')
        .first();
      expect(event.ip).toBe('198.51.100.7');
    } finally {
      await local.close();
    }
  });

  it('without the setting, ignores X-Forwarded-For entirely', async () => {
    await attempt(ctx.app, 'probe-none', 'wrong password', { 'X-Forwarded-For': '192.0.2.200' });
    const event = await ctx.db('audit_events').where({ action: 'auth.sign_in_failed' }).orderBy('id', 'desc').first();
    expect(event.ip).not.toBe('192.0.2.200');
    expect(event.ip).toMatch(/127\.0\.0\.1|::1/);
  });
});
