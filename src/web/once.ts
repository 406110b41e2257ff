import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Actor } from '../audit/audit';
import { AlreadySubmitted, priorResult, type OnceKey } from '../db/once';
import { actorOf } from './actor';
import { DomainError, InvalidState } from './errors';

const busy = (err: unknown) => err instanceof DomainError && err.status === 503;

/** The hidden field views/partials/once.ejs renders into every create form. */
export const ONCE_FIELD = '_once';
const KEY = /^[A-Za-z0-9-]{16,64}$/;

/** The key for a form being drawn: the one it already carried when re-shown after a refusal (nothing
 *  was claimed then, the transaction rolled back), else a new random one. */
export function onceKeyFor(given: unknown): string {
  return typeof given === 'string' && KEY.test(given) ? given : crypto.randomUUID();
}

export function onceKeyFrom(req: Request, form: string): OnceKey | undefined {
  const key = (req.body as Record<string, unknown> | undefined)?.[ONCE_FIELD];
  return typeof key === 'string' && KEY.test(key) ? { form, key } : undefined;
}

/**
 * Runs a create with the form's one-time key on its actor (auditedTransaction claims it). If the key
 * was already used by a committed submission of the same user, nothing is created and the first
 * result is returned, so the handler redirects to the same place as the first time. A form posted
 * without a key (a client that predates the field) is simply not deduplicated.
 */
export async function once<T>(req: Request, db: Knex, form: string, run: (actor: Actor) => Promise<T>): Promise<T> {
  const key = onceKeyFrom(req, form);
  const actor: Actor = key ? { ...actorOf(req), once: key } : actorOf(req);
  if (key) {
    // Sent again after the first one committed: answer with its result before any check that the
    // first submission itself would now fail (a username already taken, by that very submission).
    const prior = await priorResult(db, key, actor.userId);
    if (prior.found) return prior.result as T;
  }
  try {
    return await run(actor);
  } catch (err) {
    if (!key) throw err;
    // A parallel twin committed first: its transaction held the key (AlreadySubmitted), or it made a
    // check of ours fail on the way (taken, already open). Either way the first result is the answer.
    let prior = await priorResult(db, key, actor.userId);
    // Refused for load (503: the password worker's queue is full, as when a form is sent many times
    // at once): the twin that got through is likely still working, so wait a little for its result.
    for (let i = 0; !prior.found && busy(err) && i < 30; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      prior = await priorResult(db, key, actor.userId);
    }
    if (prior.found) return prior.result as T;
    if (err instanceof AlreadySubmitted) throw new InvalidState('errors.alreadySubmitted');
    throw err;
  }
}
