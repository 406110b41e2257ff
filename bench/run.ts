import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { systemClock } from '../src/shared/clock';
import { generate, VOLUME } from './generate';

/**
 * List and report benchmarks: a database of a large district (bench/generate.ts), the real app,
 * and sequential requests to the pages that read the most rows. Prints p50/p95/max per page.
 * `npm run bench` (SQLite in a temporary file) or with DATABASE_URL=postgres://... (an EMPTY database).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streetfund-bench-'));
  const config = { ...loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL }), sqliteFile: path.join(dir, 'bench.sqlite3'), uploadDir: dir };
  const db = createDb(config);
  await migrateLatest(db);
  let t = Date.now();
  const { adminUsername, password } = await generate(db);
  console.log(`generated ${JSON.stringify(VOLUME)} in ${Date.now() - t} ms`);

  const built = createApp({ config, db, clock: systemClock });
  const server = built.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Sign in as the administrator through the real form.
  const loginPage = await fetch(`${base}/login`);
  let cookie = (loginPage.headers.get('set-cookie') ?? '').split(';')[0];
  const token = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1];
  const signIn = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, username: adminUsername, password }),
  });
  cookie = (signIn.headers.get('set-cookie') ?? cookie).split(';')[0];

  const pages = [
    '/admin/users?page=150',
    '/admin/users?q=user59',
    '/audit?page=1',
    '/audit?page=2500',
    '/audit?action=street_office',
    '/registry?page=100',
    '/catalog?page=1',
    '/catalog?page=70&q=%E5%85%BB%E8%80%81',
    '/calls',
    '/calls?status=all&page=250',
    '/my/calls?page=100',
    '/reviews',
    '/awards',
    '/funds',
  ];
  console.log(`\n${'page'.padEnd(32)} ${'status'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
  for (const page of pages) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < ROUNDS; i++) {
      t = performance.now();
      const res = await fetch(base + page, { headers: { cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      times.push(performance.now() - t);
      status = res.status;
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
    console.log(`${page.padEnd(32)} ${String(status).padStart(6)} ${q(0.5).padStart(8)} ${q(0.95).padStart(8)} ${q(1).padStart(8)}`);
  }
  t = performance.now();
  const verify = await fetch(`${base}/audit/verify`, { headers: { cookie } });
  await verify.text();
  console.log(`\n/audit/verify over ${VOLUME.auditEvents} events: ${(performance.now() - t).toFixed(0)} ms (status ${verify.status})`);

  server.close();
  built.close();
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
