import path from 'node:path';
import fs from 'node:fs';

/** The project root: the folder holding package.json, whether we run from src/ (ts-jest) or dist/src/ (built). */
export function findRoot(start = __dirname): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + start);
    dir = parent;
  }
  return dir;
}

export const rootDir = findRoot();

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  /** postgres://... to run on PostgreSQL; empty means the embedded SQLite file. */
  databaseUrl: string;
  sqliteFile: string;
  sessionSecret: string;
  /** Demo mode lists the demo accounts on the login page. Never on in production. */
  demo: boolean;
  idleTimeoutMinutes: number;
  absoluteTimeoutHours: number;
  bcryptRounds: number;
  uploadDir: string;
  uploadMaxBytes: number;
  uploadMaxFiles: number;
  /** Upload files with no record that are older than this are swept (start-up, npm run files:sweep). */
  uploadOrphanMinutes: number;
  trustProxy: boolean;
  logLevel: string;
  /** Show the stack trace (which may hold SQL and server paths) on 500 pages. Only when a developer asks. */
  showErrorDetails: boolean;
  signIn: { perAccount: number; perAddress: number; windowMinutes: number };
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a whole number, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const secret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && secret.length < 32) {
    throw new Error('SESSION_SECRET must be set to at least 32 characters when NODE_ENV=production');
  }
  return {
    env: mode,
    port: int(env.PORT, 3000),
    databaseUrl: env.DATABASE_URL ?? '',
    sqliteFile: env.SQLITE_FILE ?? path.join(rootDir, 'data', 'streetfund.sqlite3'),
    // Outside production a fixed secret keeps demo sessions valid across restarts; it protects nothing real.
    sessionSecret: secret || 'streetfund-development-secret-not-for-production',
    demo: mode !== 'production',
    idleTimeoutMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    absoluteTimeoutHours: int(env.SESSION_ABSOLUTE_HOURS, 12),
    bcryptRounds: int(env.BCRYPT_ROUNDS, mode === 'test' ? 4 : 12),
    uploadDir: env.UPLOAD_DIR ?? path.join(rootDir, 'uploads'),
    uploadMaxBytes: int(env.UPLOAD_MAX_MB, 10) * 1024 * 1024,
    uploadMaxFiles: int(env.UPLOAD_MAX_FILES, 5),
    uploadOrphanMinutes: int(env.UPLOAD_ORPHAN_MINUTES, 60),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logLevel: env.LOG_LEVEL ?? (mode === 'test' ? 'silent' : 'info'),
    // Off by default in every mode, demo included: `npm start` is what people expose to others.
    showErrorDetails: mode !== 'production' && env.SHOW_ERROR_DETAILS === '1',
    signIn: {
      perAccount: int(env.SIGNIN_MAX_PER_ACCOUNT, 5),
      perAddress: int(env.SIGNIN_MAX_PER_ADDRESS, 20),
      windowMinutes: int(env.SIGNIN_WINDOW_MINUTES, 15),
    },
  };
}
