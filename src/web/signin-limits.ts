import type { Knex } from 'knex';
import type { AppDeps } from '../deps';
import type { Request } from 'express';
import { forUpdate } from '../db/knex';
import { formatDateTime } from '../shared/time';

/**
 * Attempts are counted per key (an account, an address) in the table `attempt_limits`, so several
 * app instances share the count. Each count is one short transaction of our own on the app's knex:
 * insert the row if missing, read it (locked FOR UPDATE on PostgreSQL; SQLite has one connection,
 * so transactions run one after another), decide, update. Nothing is left open on the connection,
 * whatever happens to the request.
 *
 * An attempt is counted *before* the password is checked, so that N parallel attempts run at most
 * the allowance of password checks. The first `max` attempts go ahead; after them each further
 * attempt must wait a delay that doubles (first delay, then 2x, 4x ... up to the cap), and a refused
 * attempt changes nothing (it does not lengthen the wait). A key is forgotten after `forgetAfter`
 * seconds without attempts (counted from the end of the last wait). There is no hard lock: the owner of an account can try again once the
 * wait is over, and the district administrator can clear an account's count (/admin/users).
 */
export interface LimitRule {
  /** Attempts that go ahead without waiting. */
  max: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  /** Seconds without any attempt after which the key starts afresh. */
  forgetAfterSeconds: number;
}

export type Consumed = { ok: true } | { ok: false; retryAt: Date; waitSeconds: number };

export interface LimitState {
  attempts: number;
  lastAttemptAt: string;
  nextAllowedAt: string | null;
}

interface Row {
  key: string;
  attempts: number;
  last_attempt_at: string;
  next_allowed_at: string | null;
}

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** The limiter itself, for any keys and rules. */
export function createAttemptLimiter({ db, clock }: Pick<AppDeps, 'db' | 'clock'>) {
  let lastSweep = 0;

  // A quiet window after the last attempt, and after the wait it set, starts the key afresh (so
  // reaching the longest wait never resets the count by itself).
  const forgotten = (row: Row, rule: LimitRule, now: Date) =>
    Math.max(Date.parse(row.last_attempt_at), row.next_allowed_at ? Date.parse(row.next_allowed_at) : 0) +
      rule.forgetAfterSeconds * 1000 <=
    now.getTime();

  /** Runs fn on the rows of the keys (created when missing), locked, in one transaction. */
  async function withRows<T>(
    keys: string[],
    fn: (trx: Knex.Transaction, rows: Map<string, Row>, now: Date) => Promise<T>,
  ): Promise<T> {
    const sorted = [...new Set(keys)].sort(); // one lock order, so two transactions never deadlock
    const now = clock.now();
    return db.transaction(async (trx) => {
      await trx('attempt_limits')
        .insert(sorted.map((key) => ({ key, attempts: 0, last_attempt_at: now.toISOString(), next_allowed_at: null })))
        .onConflict('key')
        .ignore();
      const query = trx<Row>('attempt_limits').whereIn('key', sorted).orderBy('key');
      const rows = await forUpdate(trx, query);
      return fn(trx, new Map(rows.map((r) => [r.key, { ...r, attempts: Number(r.attempts) }])), now);
    });
  }

  const write = (trx: Knex.Transaction, key: string, changes: Partial<Row>) =>
    trx('attempt_limits').where({ key }).update(changes);

  async function sweep(rules: LimitRule[]) {
    const now = clock.now();
    if (now.getTime() - lastSweep < 60 * 1000) return;
    lastSweep = now.getTime();
    // A wait ends at most maxDelay after its attempt, so a row older than that plus a quiet window is forgotten.
    const longest = Math.max(...rules.map((r) => r.forgetAfterSeconds + r.maxDelaySeconds));
    await db('attempt_limits')
      .where('last_attempt_at', '<', new Date(now.getTime() - longest * 1000).toISOString())
      .delete();
  }

  return {
    /** Counts one attempt on every key, or on none when one of them must still wait. */
    async consume(items: { key: string; rule: LimitRule }[]): Promise<Consumed> {
      await sweep(items.map((i) => i.rule));
      return withRows(
        items.map((i) => i.key),
        async (trx, rows, now) => {
          let retryAt = 0;
          for (const { key, rule } of items) {
            const row = rows.get(key)!;
            if (!forgotten(row, rule, now) && row.next_allowed_at && Date.parse(row.next_allowed_at) > now.getTime()) {
              retryAt = Math.max(retryAt, Date.parse(row.next_allowed_at));
            }
          }
          if (retryAt > 0)
            return {
              ok: false as const,
              retryAt: new Date(retryAt),
              waitSeconds: Math.ceil((retryAt - now.getTime()) / 1000),
            };
          for (const { key, rule } of items) {
            const row = rows.get(key)!;
            const attempts = (forgotten(row, rule, now) ? 0 : row.attempts) + 1;
            const over = attempts - rule.max;
            const delay = over < 0 ? 0 : Math.min(rule.firstDelaySeconds * 2 ** over, rule.maxDelaySeconds);
            await write(trx, key, {
              attempts,
              last_attempt_at: now.toISOString(),
              next_allowed_at: delay > 0 ? new Date(now.getTime() + delay * 1000).toISOString() : null,
            });
          }
          return { ok: true as const };
        },
      );
    },

    /** Gives an attempt back (it succeeded, or it never got to the check). */
    async refund(items: { key: string; rule: LimitRule }[]): Promise<void> {
      await withRows(
        items.map((i) => i.key),
        async (trx, rows) => {
          for (const { key, rule } of items) {
            const row = rows.get(key)!;
            if (row.attempts <= 0) continue;
            const attempts = row.attempts - 1;
            await write(trx, key, { attempts, next_allowed_at: attempts < rule.max ? null : row.next_allowed_at });
          }
        },
      );
    },

    async state(key: string, rule: LimitRule, q: Knex = db): Promise<LimitState | null> {
      const row = await q<Row>('attempt_limits').where({ key }).first();
      if (!row || forgotten(row, rule, clock.now())) return null;
      return { attempts: Number(row.attempts), lastAttemptAt: row.last_attempt_at, nextAllowedAt: row.next_allowed_at };
    },

    /** Deletes the key's count, in the caller's transaction (so the clearing and its audit event commit together). */
    async clear(trx: Knex.Transaction, key: string): Promise<void> {
      await trx('attempt_limits').where({ key }).delete();
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;

export const accountKey = (username: string) => `account:${username.trim().toLowerCase().slice(0, 64)}`;
export const addressKey = (ip: string) => `address:${ip.slice(0, 64)}`;
export const registrationKey = (ip: string) => `register:${ip.slice(0, 64)}`;

export function signInRules(config: AppDeps['config']) {
  const { perAccount, perAddress, windowMinutes, firstDelaySeconds } = config.signIn;
  const common = { firstDelaySeconds, maxDelaySeconds: windowMinutes * 60, forgetAfterSeconds: windowMinutes * 60 };
  return { account: { ...common, max: perAccount }, address: { ...common, max: perAddress } };
}

/** Registrations: `perAddress` per window from one address, then a wait of the whole window. */
export function registrationRule(config: AppDeps['config']): LimitRule {
  const seconds = config.registration.windowMinutes * 60;
  return {
    max: config.registration.perAddress,
    firstDelaySeconds: seconds,
    maxDelaySeconds: seconds,
    forgetAfterSeconds: seconds,
  };
}

/** What the sign-in form and the administrator's page use. */
export interface SignInLimits {
  /** Counts the attempt for the account and the address before the password is checked. */
  begin(username: string, ip: string): Promise<Consumed>;
  /** The check never ran (the password worker was busy): the attempt is given back. */
  notChecked(username: string, ip: string): Promise<void>;
  /** The right password: the account starts afresh and the address gets its attempt back. */
  succeeded(username: string, ip: string): Promise<void>;
  accountState(username: string, q?: Knex): Promise<LimitState | null>;
  clearAccount(trx: Knex.Transaction, username: string): Promise<void>;
}

export function createSignInLimits(deps: Deps): SignInLimits {
  const limiter = createAttemptLimiter(deps);
  const rules = signInRules(deps.config);
  const both = (username: string, ip: string) => [
    { key: accountKey(username), rule: rules.account },
    { key: addressKey(ip), rule: rules.address },
  ];
  return {
    begin: (username, ip) => limiter.consume(both(username, ip)),
    notChecked: (username, ip) => limiter.refund(both(username, ip)),
    async succeeded(username, ip) {
      await limiter.refund([{ key: addressKey(ip), rule: rules.address }]);
      await deps.db.transaction((trx) => limiter.clear(trx, accountKey(username)));
    },
    accountState: (username, q) => limiter.state(accountKey(username), rules.account, q),
    clearAccount: (trx, username) => limiter.clear(trx, accountKey(username)),
  };
}

/** "Too many attempts: try again after 21:03 (Beijing time), in about 2 minutes." The time is rounded
 *  up to the minute, so trying at the minute shown always goes ahead. */
export function tryAgainMessage(req: Request, retryAt: Date, waitSeconds: number, key = 'signIn.tooMany'): string {
  const shown = new Date(Math.ceil(retryAt.getTime() / 60000) * 60000);
  const wait =
    waitSeconds < 120
      ? req.t('signIn.seconds', { count: waitSeconds })
      : req.t('signIn.minutes', { count: Math.ceil(waitSeconds / 60) });
  return req.t(key, { time: formatDateTime(shown, req.lang).slice(11), date: formatDateTime(shown, req.lang), wait });
}
