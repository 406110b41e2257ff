import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createPageCache, keepAnonymousPages, type KeptPage } from '../../src/web/kept-pages';
import { recordAudit, systemActor } from '../../src/audit/audit';
import type { Clock } from '../../src/shared/clock';
import { createTestDb, type TestDb } from '../helpers/db';

const page = (html: string): KeptPage => ({ html, headers: {} });

describe('the page cache', () => {
  it('gives back what was kept under the same key, nothing under another', () => {
    const cache = createPageCache(1_000);
    cache.set('zh-CN|/public|7|2026', page('<p>页</p>'));
    expect(cache.get('zh-CN|/public|7|2026')?.html).toBe('<p>页</p>');
    expect(cache.get('zh-CN|/public|8|2026')).toBeUndefined();
    expect(cache.get('en|/public|7|2026')).toBeUndefined();
  });

  it('stays within its byte budget, dropping the least recently used page first', () => {
    // Each entry weighs 2 x (key + page) characters: 2 x (1 + 99) = 200 bytes.
    const cache = createPageCache(600);
    const html = (c: string) => c.repeat(99);
    cache.set('a', page(html('a')));
    cache.set('b', page(html('b')));
    cache.set('c', page(html('c')));
    expect(cache.size()).toEqual({ entries: 3, bytes: 600 });
    cache.get('a'); // now b is the least recently used
    cache.set('d', page(html('d')));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.html).toBe(html('a'));
    expect(cache.get('c')?.html).toBe(html('c'));
    expect(cache.get('d')?.html).toBe(html('d'));
    expect(cache.size()).toEqual({ entries: 3, bytes: 600 });
  });

  it('replaces a page kept again under its key, and never keeps a page larger than the budget', () => {
    const cache = createPageCache(300);
    cache.set('a', page('x'.repeat(99)));
    cache.set('a', page('y'.repeat(49)));
    expect(cache.size()).toEqual({ entries: 1, bytes: 100 });
    cache.set('big', page('z'.repeat(200)));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')?.html).toBe('y'.repeat(49));
  });
});

describe('keepAnonymousPages', () => {
  // A small app with the middleware and a view engine that counts its renderings; the version of
  // the public data is read from a real migrated database.
  let t: TestDb;
  let viewsDir: string;
  beforeAll(async () => {
    t = await createTestDb();
    // Express looks the view up on disk before it calls the engine.
    viewsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-pages-'));
    fs.writeFileSync(path.join(viewsDir, 'page.txt'), '');
  });
  afterAll(() => t.destroy());

  function appWith(opts: { user?: object; flash?: unknown[]; token?: boolean; cookie?: boolean; status?: number }) {
    const app = express();
    let renders = 0;
    app.engine('txt', (_file, locals: object, done) => {
      renders++;
      const token = opts.token ? (locals as { csrfToken: () => string }).csrfToken() : '';
      done(null, `page ${renders} ${token}`);
    });
    app.set('view engine', 'txt');
    app.set('views', viewsDir);
    app.use((req, res, next) => {
      Object.assign(req, { user: opts.user, lang: 'zh-CN' });
      res.locals.flash = opts.flash ?? [];
      res.locals.csrfToken = () => 'token-of-this-visitor';
      next();
    });
    app.use(keepAnonymousPages({ db: t.db, clock: fixedClock }));
    app.get(['/calls', '/calls/:id', '/account'], (_req, res) => {
      if (opts.cookie) res.cookie('x', '1');
      res.status(opts.status ?? 200).render('page');
    });
    return { app, renders: () => renders };
  }
  const fixedClock = { now: () => new Date('2026-11-25T02:00:00.000Z') } as Clock;

  it('renders an anonymous page once and answers the next visitors from memory, with a validator', async () => {
    const { app, renders } = appWith({});
    const first = await request(app).get('/calls');
    const again = await request(app).get('/calls');
    expect(again.text).toBe(first.text);
    expect(renders()).toBe(1);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect((await request(app).get('/calls').set('If-None-Match', first.headers.etag)).status).toBe(304);
    // Another address, another page.
    await request(app).get('/calls/7');
    expect(renders()).toBe(2);
  });

  it('renders again once the public data has a new version', async () => {
    const { app, renders } = appWith({});
    await request(app).get('/calls');
    await t.db.transaction((trx) =>
      recordAudit(trx, systemActor, { action: 'call.publish', subjectType: 'call', subjectId: 1 }, fixedClock.now()),
    );
    await request(app).get('/calls');
    expect(renders()).toBe(2);
  });

  it.each([
    ['a signed-in user', { user: { id: 1 } }],
    ['a page with a flash message', { flash: [{ type: 'success', text: '已保存' }] }],
    ['a page that asked for a form token', { token: true }],
    ['a page that set a cookie', { cookie: true }],
    ['a page that is not a 200', { status: 404 }],
  ])('never keeps %s', async (_what, opts) => {
    const { app, renders } = appWith(opts);
    await request(app).get('/calls');
    await request(app).get('/calls');
    expect(renders()).toBe(2);
  });

  it('keeps only the public paths', async () => {
    const { app, renders } = appWith({});
    await request(app).get('/account');
    await request(app).get('/account');
    expect(renders()).toBe(2);
  });
});
