import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { auditedTransaction, type Actor } from '../../audit/audit';
import type { Queryable } from '../../db/knex';
import type { AppDeps } from '../../deps';
import { Forbidden, InvalidState, NotFound } from '../../web/errors';
import { createAttemptLimiter, type LimitRule } from '../../web/signin-limits';
import type { SessionUser } from '../accounts/roles';
import { lockContractMilestone } from '../contracts';
import { evaluationOf, isEvaluated } from './results';
import { canReadReports, canReturnReport } from './policy';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

export const RATING_COMMENT_MAX = 300;
/** The longest a round may run: a service period, not an open-ended poll. */
export const ROUND_MAX_DAYS = 90;
/** Per address: 60 ratings an hour, so a community centre whose visitors share one network can
 *  still rate (the per-browser rule is the main one); then a wait of an hour. */
export const RATINGS_PER_ADDRESS: LimitRule = {
  max: 60,
  firstDelaySeconds: 3600,
  maxDelaySeconds: 3600,
  forgetAfterSeconds: 3600,
};
export const ratingAddressKey = (ip: string) => `rating:${ip.slice(0, 64)}`;

export interface RoundRow {
  id: number;
  contract_id: number;
  milestone_seq: number;
  token: string;
  opens_at: string;
  closes_at: string;
  closed_at: string | null;
  opened_by: number;
  closed_by: number | null;
}

const numeric = (r: RoundRow): RoundRow => ({
  ...r,
  id: Number(r.id),
  contract_id: Number(r.contract_id),
  milestone_seq: Number(r.milestone_seq),
  opened_by: Number(r.opened_by),
  closed_by: r.closed_by === null ? null : Number(r.closed_by),
});

export async function roundOf(db: Queryable, contractId: number, seq: number): Promise<RoundRow | undefined> {
  const r = await db<RoundRow>('rating_rounds').where({ contract_id: contractId, milestone_seq: seq }).first();
  return r ? numeric(r) : undefined;
}

/** The token is 22 characters of base64url (128 random bits): a link nobody guesses. */
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
export async function roundByToken(db: Queryable, token: string): Promise<RoundRow | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const r = await db<RoundRow>('rating_rounds').where({ token }).first();
  return r ? numeric(r) : undefined;
}

/** Open: not closed by the manager and before its closing time. */
export const isRoundOpen = (r: Pick<RoundRow, 'closed_at' | 'closes_at'>, now: Date) =>
  r.closed_at === null && Date.parse(r.closes_at) > now.getTime();
/** When it stopped taking ratings (the manager's closing, or its time), or null while open. */
export const roundEnd = (r: Pick<RoundRow, 'closed_at' | 'closes_at'>, now: Date): string | null =>
  r.closed_at ?? (Date.parse(r.closes_at) <= now.getTime() ? r.closes_at : null);

/** The mean of the stars mapped to 0–100, (mean − 1) × 25, in hundredths rounded half up:
 *  (Σstars − n) × 2500 / n, in integers. */
export function citizenScore(starsSum: number, count: number): number {
  if (count <= 0) throw new Error('no ratings');
  const num = BigInt(starsSum - count) * 2500n;
  return Number((2n * num + BigInt(count)) / (2n * BigInt(count)));
}

export async function ratingCount(db: Queryable, roundId: number): Promise<{ count: number; sum: number }> {
  const r = await db('citizen_ratings')
    .where({ round_id: roundId })
    .first(db.raw('count(*) as n'), db.raw('coalesce(sum(stars), 0) as s'));
  return { count: Number(r?.n ?? 0), sum: Number(r?.s ?? 0) };
}

/** The call's fewest ratings for a round to count (a call setting, default 10). */
export async function minRatingsOf(db: Queryable, contractId: number): Promise<number> {
  const r = await db('contracts as c')
    .join('calls as k', 'k.id', 'c.call_id')
    .where('c.id', contractId)
    .first('k.citizen_min_ratings');
  return Number(r?.citizen_min_ratings ?? 10);
}

export interface CitizenSource {
  /** Hundredths, or null when there is no round or it has fewer ratings than the minimum. */
  score: number | null;
  count: number;
  min: number;
}

/** What the citizen source gives on closing. Fewer ratings than the minimum: the source is missing. */
export async function citizenSource(db: Queryable, contractId: number, seq: number): Promise<CitizenSource> {
  const min = await minRatingsOf(db, contractId);
  const round = await roundOf(db, contractId, seq);
  if (!round) return { score: null, count: 0, min };
  const { count, sum } = await ratingCount(db, round.id);
  return { score: count >= min ? citizenScore(sum, count) : null, count, min };
}

/** Called in the closing transaction: an open round stops taking ratings when the evaluation closes. */
export async function endRoundOnClosing(
  trx: Knex.Transaction,
  contractId: number,
  seq: number,
  userId: number,
  now: Date,
): Promise<void> {
  await trx('rating_rounds')
    .where({ contract_id: contractId, milestone_seq: seq })
    .whereNull('closed_at')
    .where('closes_at', '>', now.toISOString())
    .update({ closed_at: now.toISOString(), closed_by: userId });
}

async function managerScope(trx: Knex.Transaction, user: SessionUser, contractId: number, seq: number) {
  const m = await lockContractMilestone(trx, contractId, seq);
  if (!m || !canReadReports(user, m)) throw new NotFound();
  if (!canReturnReport(user, m)) throw new Forbidden('evaluations.errors.notYourStreet');
  if (m.contract_status !== 'active') throw new InvalidState('evaluations.errors.contractNotActive');
  return m;
}

/** The manager opens the milestone's round until `closesAt` (in the future, at most 90 days on). */
export async function openRound(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  closesAt: Date,
): Promise<RoundRow> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await managerScope(trx, user, contractId, seq);
    if (!isEvaluated(m)) throw new InvalidState('evaluations.errors.notEvaluated');
    if (m.settlement) throw new InvalidState('evaluations.errors.settled');
    if ((await evaluationOf(trx, contractId, seq))?.status === 'closed')
      throw new InvalidState('evaluations.errors.evaluationClosed');
    if (await roundOf(trx, contractId, seq)) throw new InvalidState('evaluations.errors.roundExists');
    const row = {
      contract_id: contractId,
      milestone_seq: seq,
      token: crypto.randomBytes(16).toString('base64url'),
      opens_at: now.toISOString(),
      closes_at: closesAt.toISOString(),
      closed_at: null,
      opened_by: user.id,
      closed_by: null,
    };
    await trx('rating_rounds').insert(row);
    const round = (await roundOf(trx, contractId, seq))!;
    return {
      result: round,
      audit: {
        action: 'evaluation.rating_round_open',
        subjectType: 'rating_round',
        subjectId: round.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        after: { contract_id: contractId, milestone_seq: seq, closes_at: row.closes_at },
      },
    };
  });
}

/** The manager closes the round before its time. */
export async function closeRound(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const m = await managerScope(trx, user, contractId, seq);
    const round = await roundOf(trx, contractId, seq);
    if (!round) throw new InvalidState('evaluations.errors.noRound');
    if (!isRoundOpen(round, now)) throw new InvalidState('evaluations.errors.roundClosed');
    const n = await trx('rating_rounds')
      .where({ id: round.id })
      .whereNull('closed_at')
      .update({ closed_at: now.toISOString(), closed_by: user.id });
    if (n !== 1) throw new InvalidState('evaluations.errors.roundClosed');
    const { count } = await ratingCount(trx, round.id);
    return {
      result: undefined,
      audit: {
        action: 'evaluation.rating_round_close',
        subjectType: 'rating_round',
        subjectId: round.id,
        streetOfficeId: m.street_office_id,
        organizationId: m.organization_id,
        before: { closes_at: round.closes_at },
        after: { closed_at: now.toISOString(), ratings: count },
      },
    };
  });
}

export type RateOutcome = 'rated' | 'already' | 'closed' | 'limited';

/**
 * A citizen's rating, without signing in. The round must be open; one rating per browser (the
 * unique key refuses a second one, even two at once); per address at most 60 an hour (counted in
 * attempt_limits, shared by all instances). Nothing is written on a refusal. The rating carries no
 * address and no name, and is not an audit event of its own (the round's opening and closing are).
 */
export async function rate(
  deps: Deps,
  round: RoundRow,
  browserId: string,
  ip: string,
  stars: number,
  comment: string | null,
): Promise<RateOutcome> {
  const now = deps.clock.now();
  if (!isRoundOpen(round, now)) return 'closed';
  if (await deps.db('citizen_ratings').where({ round_id: round.id, browser_id: browserId }).first('id'))
    return 'already';
  const limiter = createAttemptLimiter(deps);
  const limit = [{ key: ratingAddressKey(ip), rule: RATINGS_PER_ADDRESS }];
  if (!(await limiter.consume(limit)).ok) return 'limited';
  const outcome = await deps.db.transaction(async (trx) => {
    const current = await trx<RoundRow>('rating_rounds').where({ id: round.id }).first();
    if (!current || !isRoundOpen(current, now)) return 'closed' as const;
    const inserted = await trx('citizen_ratings')
      .insert({ round_id: round.id, stars, comment, browser_id: browserId, created_at: now.toISOString() })
      .onConflict(['round_id', 'browser_id'])
      .ignore()
      .returning('id');
    return inserted.length === 1 ? ('rated' as const) : ('already' as const);
  });
  if (outcome !== 'rated') await limiter.refund(limit);
  return outcome;
}

/** The ratings of a round for staff (stars, comment, time; no browser id). */
export const ratingsOf = (
  db: Queryable,
  roundId: number,
): Promise<{ stars: number; comment: string | null; created_at: string }[]> =>
  db('citizen_ratings').where({ round_id: roundId }).orderBy('id').select('stars', 'comment', 'created_at');
