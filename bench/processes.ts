import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rootDir } from '../src/config';

/** A server the benchmark started: its address, how long it took to answer, its memory, and a stop. */
export interface Server {
  base: string;
  pid: number;
  /** From spawn to the first answer of GET /health (or /page/0 for the baseline), in ms. */
  startMs: number;
  /** The CPU time the process used until then (user + system, all its threads), in ms: on a shared machine the steadier figure. */
  startCpuMs: number;
  logFile: string;
  /** The highest resident set size seen (polled every 100 ms while running, and the kernel's high-water mark), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** Every server still running, killed when the bench exits however it exits (a failed run leaves none behind). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** User + system CPU time of a process so far, in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts `node <script>` the way `npm start` does (`node dist/src/server.js` after the build; the
 * bench has built already), with the given environment on top of ours, NODE_ENV left as the caller's
 * shell has it (npm start sets none), stdout and stderr into a log file.
 */
export async function startServer(
  script: string,
  port: number,
  env: Record<string, string>,
  logDir: string,
  probe = '/health',
): Promise<Server> {
  const logFile = path.join(logDir, `${path.basename(script, '.js')}-${port}.log`);
  const out = fs.openSync(logFile, 'w');
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(rootDir, script)], {
    cwd: rootDir,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  running.add(child);
  child.once('exit', () => running.delete(child));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(base + probe, child);
  const startMs = performance.now() - started;
  const startCpuMs = cpuMs(child.pid!);
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, rssKb(child.pid!, 'VmRSS'))), 100);
  poll.unref();
  return {
    base,
    pid: child.pid!,
    startMs,
    startCpuMs,
    logFile,
    peakRssMb: () => Math.max(peak, rssKb(child.pid!, 'VmHWM')) / 1024,
    async stop() {
      clearInterval(poll);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Signs in through the real form; returns the Cookie header of the session. */
export async function signIn(base: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const anon = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error('no CSRF token on /login');
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: anon, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, username, password }),
  });
  const sid = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('sf.sid='));
  if (res.status !== 303 || !sid) throw new Error(`sign-in as ${username} failed: ${res.status}`);
  return sid;
}

export async function getPage(
  base: string,
  pathname: string,
  cookie?: string,
): Promise<{ status: number; text: string; bytes: number }> {
  const res = await fetch(base + pathname, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, text: buf.toString('utf8'), bytes: buf.length };
}
