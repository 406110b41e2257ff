import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { saveSessionBeforeRedirect } from '../../src/web/session';

/**
 * express-session writes a changed session when the response ends but sends the headers first, so a
 * browser that follows a 303 at once may read the session before it is written (the flash message or
 * the sign-in then goes missing). With a store that is slow to write, the test looks at the store at
 * the moment the redirect's headers arrive.
 */
class SlowStore extends session.MemoryStore {
  writes = 0;
  override set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void) {
    setTimeout(() => {
      this.writes += 1;
      super.set(sid, sess, callback);
    }, 150);
  }
}

function appWith(store: SlowStore, guard: boolean) {
  const app = express();
  app.use(session({ secret: 'test', store, resave: false, saveUninitialized: false }));
  if (guard) app.use(saveSessionBeforeRedirect);
  app.post('/change', (req, res) => {
    (req.session as unknown as { note: string }).note = 'saved';
    res.redirect(303, '/next');
  });
  app.post('/renew', (req, res, next) =>
    req.session.regenerate((err) => {
      if (err) return next(err);
      (req.session as unknown as { note: string }).note = 'renewed';
      res.redirect(303, '/next');
    }),
  );
  app.post('/same', (_req, res) => res.redirect(303, '/next'));
  return app;
}

/** POSTs and resolves when the response's headers arrive, with what the store held at that moment. */
async function atHeaders(app: express.Express, store: SlowStore, path: string, cookie?: string) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<{ status: number; stored: string[]; cookie?: string; writes: number }>(
      (resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port, path, method: 'POST', headers: cookie ? { cookie } : {} },
          (res) => {
            store.all((_err, sessions) => {
              const stored = Object.values(sessions ?? {}).map((s) => String((s as { note?: string }).note));
              resolve({
                status: res.statusCode ?? 0,
                stored,
                cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
                writes: store.writes,
              });
            });
            res.resume();
          },
        );
        request.on('error', reject);
        request.end();
      },
    );
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the slow write finish before closing
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('a redirect waits for the session it changed', () => {
  it('without the guard the headers can arrive before the session is written (the race itself)', async () => {
    const store = new SlowStore();
    const seen = await atHeaders(appWith(store, false), store, '/change');
    expect(seen.status).toBe(303);
    expect(seen.stored).toEqual([]);
  });

  it('with the guard a changed session is in the store before the 303 arrives', async () => {
    const store = new SlowStore();
    const seen = await atHeaders(appWith(store, true), store, '/change');
    expect(seen.status).toBe(303);
    expect(seen.stored).toEqual(['saved']);
  });

  it('a renewed session (sign-in) is in the store before the 303 arrives', async () => {
    const store = new SlowStore();
    const seen = await atHeaders(appWith(store, true), store, '/renew');
    expect(seen.stored).toEqual(['renewed']);
  });

  it('an unchanged session is not written again, and no session is made for a visitor without one', async () => {
    const store = new SlowStore();
    const app = appWith(store, true);
    const first = await atHeaders(app, store, '/change');
    const writes = store.writes;
    const again = await atHeaders(app, store, '/same', first.cookie);
    expect(again.status).toBe(303);
    expect(store.writes).toBe(writes);
    const visitor = await atHeaders(app, store, '/same');
    expect(visitor.cookie).toBeUndefined();
    expect(store.writes).toBe(writes);
  });
});
