import type { Knex } from 'knex';
import { InvalidState } from '../web/errors';

/** One change of state of one row: the row must still be in one of `from` (and match `where`, if
 *  given) when the UPDATE runs, or nothing changes and the caller's transaction fails with a 409
 *  naming `errorKey`. The affected-row count is the guard: of two requests racing for the same move,
 *  exactly one wins, on SQLite and on PostgreSQL alike. */
export interface TransitionSpec<S extends string> {
  table: string;
  id: number;
  from: S | readonly S[];
  to: S;
  /** Other columns written with the new state (times, who, reasons). */
  set?: Record<string, unknown>;
  /** Further conditions the row must meet, e.g. a deadline that has passed. */
  where?: (query: Knex.QueryBuilder) => void;
  errorKey: string;
  errorParams?: Record<string, unknown>;
}

export async function transition<S extends string>(trx: Knex.Transaction, spec: TransitionSpec<S>): Promise<void> {
  const from: readonly S[] = typeof spec.from === 'string' ? [spec.from] : spec.from;
  const query = trx(spec.table).where({ id: spec.id }).whereIn('status', from);
  spec.where?.(query);
  const changed = await query.update({ ...spec.set, status: spec.to });
  if (changed !== 1) throw new InvalidState(spec.errorKey, spec.errorParams);
}

/** A lifecycle: the states an entity can be in and the moves between them, each with the states it
 *  starts from. The module that owns the table defines it; others ask it to make a move. */
export type Lifecycle<S extends string, M extends string> = Record<M, { from: readonly S[]; to: S }>;

export function lifecycleMove<S extends string, M extends string>(lifecycle: Lifecycle<S, M>, table: string) {
  return (
    trx: Knex.Transaction,
    id: number,
    move: M,
    options: Pick<TransitionSpec<S>, 'set' | 'where' | 'errorKey' | 'errorParams'>,
  ) => transition(trx, { table, id, ...lifecycle[move], ...options });
}
