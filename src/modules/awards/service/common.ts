import type { AppDeps } from '../../../deps';
import { type Tx } from '../../../db/knex';
import { NotFound, ValidationFailed } from '../../../web/errors';
import { findCallRow, type CallRow } from '../../calls';
import { lockAward, type AwardRow } from '../queries';

export type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export type ReviewedCall = CallRow & { scoring_closed_at: string | null; scoring_closed_by: number | null };

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A proposal refused for its content: field -> i18n key and values; the form is shown again with 422. */
export class ProposalProblems extends ValidationFailed {}

export async function lockCall(trx: Tx, id: number): Promise<ReviewedCall> {
  const call = (await findCallRow(trx, id, true)) as ReviewedCall | undefined;
  if (!call) throw new NotFound();
  return call;
}

export async function lockedAward(trx: Tx, id: number): Promise<AwardRow> {
  const award = await lockAward(trx, id, true);
  if (!award) throw new NotFound();
  return award;
}
