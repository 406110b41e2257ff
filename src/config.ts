import path from 'node:path';
import fs from 'node:fs';
import net from 'node:net';
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
  /** Read-only SQLite connections beside the one writer for the plain reads of GET pages (SQLITE_READERS, default 2; 0: none). */
  sqliteReaders: number;
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
  /** Upload files with no record that are older than this are swept (start-up, npm run files:sweep). */
  uploadOrphanMinutes: number;
  /** Express' `trust proxy`: false, the number of proxy hops in front of the app, or the proxies' addresses. */
  trustProxy: TrustProxy;
  logLevel: string;
  /** Cache compiled views (Express' 'view cache'). On unless a developer asks for reloading with
   *  VIEW_RELOAD=1: without it EJS re-reads and recompiles every template and partial per request. */
  viewCache: boolean;
  /** Show the stack trace (which may hold SQL and server paths) on 500 pages. Only when a developer asks. */
  showErrorDetails: boolean;
  /** Sign-in attempts that go ahead per account and per address before waits begin; the first wait
   *  (it doubles with each further attempt, up to the window); a quiet window forgets the count. */
  signIn: { perAccount: number; perAddress: number; windowMinutes: number; firstDelaySeconds: number };
  /** Registrations accepted per address per window. */
  registration: { perAddress: number; windowMinutes: number };
  /**
   * TOTP second factor. `required`: managers, approvers, auditors and administrators must enrol and
   * prove it at sign-in (always in production; MFA_REQUIRED=1 turns it on elsewhere). `key` (MFA_KEY)
   * encrypts the TOTP secrets and keys the recovery-code hashes; outside production, when empty, a key
   * is generated into `keyFile` (never in the database).
   */
  secondFactor: { required: boolean; key: string; keyFile: string };
  /** Open data (OCDS): the deployment's ocid prefix (registered with the Open Contracting Partnership;
   *  a demo default), the publisher's name and the absolute base URL the packages link to. */
  ocds: { ocidPrefix: string; publisherName: string; baseUrl: string };
}

export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: empty or 0 = no proxy (the socket's address is the client's); a whole number = that
 * many proxies in front of the app (the client is that many entries from the right of
 * X-Forwarded-For; anything further left was written by the client and is ignored); or a comma-
 * separated list of the proxies' addresses or subnets (10.0.0.0/8, loopback ...). "true" is refused:
 * it would believe any X-Forwarded-For a client sends.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true')
    throw new Error(
      'TRUST_PROXY=true would believe any X-Forwarded-For; set the number of proxies in front of the app (e.g. 1) or their addresses',
    );
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [addr, bits, extra] = item.split('/');
    const ok =
      PROXY_NAMES.has(item) ||
      (net.isIP(addr) !== 0 && extra === undefined && (bits === undefined || /^\d{1,3}$/.test(bits)));
    if (!ok)
      throw new Error(
        `TRUST_PROXY: "${item}" is neither a number of proxies nor an address, subnet or loopback/linklocal/uniquelocal`,
      );
  }
  return list;
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
  if (mode === 'production')
    throw new Error('AUDIT_KEY must be set to at least 32 characters when NODE_ENV=production');
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

/** OCID_PREFIX: "ocds-" and six letters or digits, as the Open Contracting Partnership assigns them; the demo uses ocds-sfdemo. */
function ocidPrefix(value: string | undefined): string {
  const v = (value ?? '').trim() || 'ocds-sfdemo';
  if (!/^ocds-[a-z0-9]{6}$/.test(v))
    throw new Error(`OCID_PREFIX must be "ocds-" and six lower-case letters or digits, got "${v}"`);
  return v;
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
    sqliteReaders: int(env.SQLITE_READERS, 2),
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
    uploadOrphanMinutes: int(env.UPLOAD_ORPHAN_MINUTES, 60),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL ?? (mode === 'test' ? 'silent' : 'info'),
    viewCache: !(env.VIEW_RELOAD === '1' || env.VIEW_RELOAD === 'true'),
    // Off by default in every mode, demo included: `npm start` is what people expose to others.
    showErrorDetails: mode !== 'production' && env.SHOW_ERROR_DETAILS === '1',
    signIn: {
      perAccount: int(env.SIGNIN_MAX_PER_ACCOUNT, 5),
      perAddress: int(env.SIGNIN_MAX_PER_ADDRESS, 20),
      windowMinutes: int(env.SIGNIN_WINDOW_MINUTES, 15),
      firstDelaySeconds: int(env.SIGNIN_FIRST_DELAY_SECONDS, 30),
    },
    registration: {
      perAddress: int(env.REGISTER_MAX_PER_ADDRESS, 5),
      windowMinutes: int(env.REGISTER_WINDOW_MINUTES, 60),
    },
    secondFactor: {
      required: mode === 'production' || env.MFA_REQUIRED === '1' || env.MFA_REQUIRED === 'true',
      // Tests build many apps in parallel; a fixed key spares them the key file.
      key: env.MFA_KEY ?? (mode === 'test' ? 'streetfund-test-only-mfa-key-0123456789abcdef' : ''),
      keyFile: env.MFA_KEY_FILE ?? path.join(rootDir, 'data', 'mfa.key'),
    },
    ocds: {
      ocidPrefix: ocidPrefix(env.OCID_PREFIX),
      publisherName: env.OCDS_PUBLISHER || '街道公益服务购买平台（演示）',
      baseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${int(env.PORT, 3000)}`).replace(/\/+$/, ''),
    },
  };
}
