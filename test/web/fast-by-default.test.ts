import request from 'supertest';
import { loadConfig } from '../../src/config';
import { createTestContext, type TestContext } from '../helpers/app';
import { loginAs } from '../helpers/http';

/**
 * The app as `npm start` runs it must be the fast way (issue 15): compiled views cached unless a
 * developer asks for reloading, no database write for an anonymous page view, and a signed-in
 * session written at most once a minute.
 */
let ctx: TestContext;
let writes: string[] = [];
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.db.on('query', (q: { sql: string }) => {
    // Anywhere in the statement: PostgreSQL's session upsert is a `with ... insert ... update` CTE.
    if (/\b(insert\s+(or\s+\w+\s+)?into|replace\s+into|update\s+\S+\s+set|delete\s+from)\b/i.test(q.sql))
      writes.push(q.sql);
  });
});
afterAll(() => ctx.close());
beforeEach(() => {
  writes = [];
});

describe('view cache', () => {
  test('on in every mode unless VIEW_RELOAD=1', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).viewCache).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).viewCache).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', VIEW_RELOAD: '1' }).viewCache).toBe(false);
    expect(ctx.app.get('view cache')).toBe(true);
  });
});

describe('database writes per page view', () => {
  test.each(['/', '/calls', '/catalog', '/registry', '/login', '/health'])(
    'anonymous GET %s writes nothing',
    async (path) => {
      const res = await request(ctx.app).get(path);
      expect(res.status).toBeLessThan(500);
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('sf.sid=');
      expect(writes).toEqual([]);
      expect(Number((await ctx.db('sessions').count({ n: '*' }))[0].n)).toBe(0);
    },
  );

  test('a signed-in session is written at most once a minute', async () => {
    const { agent } = await loginAs(ctx, 'manager');
    await agent.get('/dashboard').expect(200); // first view after sign-in may record lastSeenAt
    const before = await ctx.db('sessions').select('sess', 'expired');
    writes = [];
    for (let i = 0; i < 5; i++) {
      ctx.clock.advance(10 * 1000);
      await agent.get('/dashboard').expect(200);
    }
    expect(writes.filter((sql) => /sessions/i.test(sql))).toEqual([]);
    expect(await ctx.db('sessions').select('sess', 'expired')).toEqual(before);
    // Past a minute since the last write, the next view records it once (idle timeout stays exact).
    ctx.clock.advance(20 * 1000);
    await agent.get('/dashboard').expect(200);
    expect(writes.filter((sql) => /sessions/i.test(sql))).toHaveLength(1);
    ctx.clock.advance(5 * 1000);
    await agent.get('/dashboard').expect(200);
    expect(writes.filter((sql) => /sessions/i.test(sql))).toHaveLength(1);
  });
});
