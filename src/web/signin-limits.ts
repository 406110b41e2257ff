import { RateLimiterPostgres, RateLimiterSQLite, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppDeps } from '../deps';
import { isSqlite } from '../db/knex';

/**
 * Failed sign-ins are counted per account and per address, in the database table `rate_limits`
 * (rate-limiter-flexible), so that several app instances share the count.
 */
export interface SignInLimits {
  /** Seconds to wait when either limit is used up; 0 when the attempt may go ahead. */
  blockedFor(username: string, ip: string): Promise<number>;
  recordFailure(username: string, ip: string): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

export function createSignInLimits({ db, config }: Pick<AppDeps, 'db' | 'config'>): SignInLimits {
  const Limiter = isSqlite(db) ? RateLimiterSQLite : RateLimiterPostgres;
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    new Limiter({
      storeClient: db,
      storeType: 'knex',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration: config.signIn.windowMinutes * 60,
    });
  const perAccount = make('signin_account', config.signIn.perAccount);
  const perAddress = make('signin_address', config.signIn.perAddress);
  const accountKey = (u: string) => u.trim().toLowerCase().slice(0, 64);

  const waitOf = (res: RateLimiterRes | null, points: number) =>
    res && res.consumedPoints >= points ? Math.ceil(res.msBeforeNext / 1000) : 0;

  return {
    async blockedFor(username, ip) {
      const [a, b] = await Promise.all([perAccount.get(accountKey(username)), perAddress.get(ip)]);
      return Math.max(waitOf(a, config.signIn.perAccount), waitOf(b, config.signIn.perAddress));
    },
    async recordFailure(username, ip) {
      // consume() rejects with a RateLimiterRes once the points are used up; that is expected here.
      await Promise.all([perAccount.consume(accountKey(username)), perAddress.consume(ip)].map((p) => p.catch(swallowLimit)));
    },
    async recordSuccess(username) {
      await perAccount.delete(accountKey(username));
    },
  };
}

function swallowLimit(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}
