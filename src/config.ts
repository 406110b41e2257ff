import path from 'node:path';
import fs from 'node:fs';
import crypto from 'node:crypto';

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
  /** The HMAC key of the audit chain (src/audit): from AUDIT_KEY, or in demo mode a file outside the database. */
  auditKey: string;
  /** Demo mode lists the demo accounts on the login page. Never on in production. */
  demo: boolean;
  idleTimeoutMinutes: number;
  absoluteTimeoutHours: number;
  bcryptRounds: number;
  uploadDir: string;
  uploadMaxBytes: number;
  uploadMaxFiles: number;
  trustProxy: boolean;
  logLevel: string;
  signIn: { perAccount: number; perAddress: number; windowMinutes: number };
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a whole number, got "${value}"`);
  return n;
}

/** A fixed key for tests only: test databases are thrown away, nothing real is protected. */
export const TEST_AUDIT_KEY = 'streetfund-test-audit-key-0123456789abcdef';

/**
 * The key of the audit chain. It must not live in the database, or whoever can rewrite the database
 * could re-key the chain: production requires AUDIT_KEY (like SESSION_SECRET); development generates
 * one on first start into AUDIT_KEY_FILE (default data/audit.key, mode 0600) and reads it afterwards.
 */
function resolveAuditKey(env: NodeJS.ProcessEnv, mode: Config['env']): string {
  const given = env.AUDIT_KEY ?? '';
  if (given) {
    if (given.length < 32) throw new Error('AUDIT_KEY must be at least 32 characters');
    return given;
  }
  if (mode === 'production') throw new Error('AUDIT_KEY must be set to at least 32 characters when NODE_ENV=production');
  if (mode === 'test') return TEST_AUDIT_KEY;
  const file = env.AUDIT_KEY_FILE || path.join(rootDir, 'data', 'audit.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx': two processes starting at once never overwrite each other's key.
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`The audit key in ${file} is shorter than 32 characters`);
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const secret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && secret.length < 32) {
    throw new Error('SESSION_SECRET must be set to at least 32 characters when NODE_ENV=production');
  }
  const auditKey = resolveAuditKey(env, mode);
  return {
    env: mode,
    port: int(env.PORT, 3000),
    databaseUrl: env.DATABASE_URL ?? '',
    sqliteFile: env.SQLITE_FILE ?? path.join(rootDir, 'data', 'streetfund.sqlite3'),
    // Outside production a fixed secret keeps demo sessions valid across restarts; it protects nothing real.
    sessionSecret: secret || 'streetfund-development-secret-not-for-production',
    auditKey,
    demo: mode !== 'production',
    idleTimeoutMinutes: int(env.SESSION_IDLE_MINUTES, 30),
    absoluteTimeoutHours: int(env.SESSION_ABSOLUTE_HOURS, 12),
    bcryptRounds: int(env.BCRYPT_ROUNDS, mode === 'test' ? 4 : 12),
    uploadDir: env.UPLOAD_DIR ?? path.join(rootDir, 'uploads'),
    uploadMaxBytes: int(env.UPLOAD_MAX_MB, 10) * 1024 * 1024,
    uploadMaxFiles: int(env.UPLOAD_MAX_FILES, 5),
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logLevel: env.LOG_LEVEL ?? (mode === 'test' ? 'silent' : 'info'),
    signIn: {
      perAccount: int(env.SIGNIN_MAX_PER_ACCOUNT, 5),
      perAddress: int(env.SIGNIN_MAX_PER_ADDRESS, 20),
      windowMinutes: int(env.SIGNIN_WINDOW_MINUTES, 15),
    },
  };
}
