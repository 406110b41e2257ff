import type { AppDeps } from '../../../deps';
import { type Tx } from '../../../db/knex';
import { toShanghaiInput } from '../../../shared/time';
import { NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { canReadContract } from '../policy';
import { lockContract, type ContractRow, type MilestoneRow } from '../queries';
import type { Milestone, Terms } from '../terms';

export type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** Terms refused for their content: field -> i18n key and values; the form is shown again with 422. */
export class TermsProblems extends ValidationFailed {}

/** The contract locked for this transaction; a contract the user may not read is not found (a forged id tells nothing). */
export async function lockedContract(trx: Tx, user: SessionUser, id: number): Promise<ContractRow> {
  const c = id ? await lockContract(trx, id, true) : undefined;
  if (!c || !canReadContract(user, c)) throw new NotFound();
  return { ...c, street_office_id: Number(c.street_office_id), organization_id: Number(c.organization_id) };
}

/** Today's calendar date in Beijing, YYYY-MM-DD. */
export const shanghaiDate = (now: Date) => toShanghaiInput(now).slice(0, 10);

export function milestoneRows(
  contractId: number,
  milestones: Milestone[],
): Omit<MilestoneRow, 'id' | 'settlement' | 'settled_at'>[] {
  return milestones.map((m) => ({
    contract_id: contractId,
    seq: m.seq,
    title: m.title,
    deliverables: m.deliverables,
    due_date: m.dueDate,
    amount_fen: m.amountFen,
    advance: m.advance,
    pass_score: m.passScore,
    partial_rule: m.partialRule,
    floor_score: m.floorScore,
    weight_self: m.weights.self,
    weight_manager: m.weights.manager,
    weight_peer: m.weights.peer,
    weight_citizen: m.weights.citizen,
    weight_third_party: m.weights.third_party,
  }));
}

/** The terms as stored in a version row. */
export const versionColumns = (terms: Terms) => ({
  amount_fen: terms.amountFen,
  period_start: terms.periodStart,
  period_end: terms.periodEnd,
  service_plan: terms.servicePlan,
  milestones_json: JSON.stringify(terms.milestones),
});
