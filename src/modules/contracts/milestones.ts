import type { Knex } from 'knex';
import { forUpdate, type Queryable } from '../../db/knex';
import type { MilestoneRow } from './queries';

/** A milestone of a contract with what other modules (reports, evaluation) need of its contract:
 *  the parties that decide who may read and write, the status, and the milestone's terms. */
/** The milestone's terms as its row holds them (queries.ts), with `advance` read as a boolean. */
type MilestoneTerms = Omit<
  Pick<
    MilestoneRow,
    | 'seq'
    | 'title'
    | 'deliverables'
    | 'due_date'
    | 'amount_fen'
    | 'advance'
    | 'pass_score'
    | 'partial_rule'
    | 'floor_score'
    | 'weight_self'
    | 'weight_manager'
    | 'weight_peer'
    | 'weight_citizen'
    | 'weight_third_party'
    | 'settlement'
  >,
  'advance'
> & { advance: boolean };

export interface ContractMilestone extends MilestoneTerms {
  contract_id: number;
  contract_number: string;
  contract_title: string;
  contract_status: string;
  street_office_id: number;
  organization_id: number;
  sent_at: string | null;
  milestone_id: number;
}

const COLUMNS = [
  'c.id as contract_id',
  'c.number as contract_number',
  'c.title as contract_title',
  'c.status as contract_status',
  'c.street_office_id',
  'c.organization_id',
  'c.sent_at',
  'm.id as milestone_id',
  'm.seq',
  'm.title',
  'm.deliverables',
  'm.due_date',
  'm.amount_fen',
  'm.advance',
  'm.pass_score',
  'm.partial_rule',
  'm.floor_score',
  'm.weight_self',
  'm.weight_manager',
  'm.weight_peer',
  'm.weight_citizen',
  'm.weight_third_party',
  'm.settlement',
];

const NUMBERS = [
  'contract_id',
  'street_office_id',
  'organization_id',
  'milestone_id',
  'seq',
  'amount_fen',
  'weight_self',
  'weight_manager',
  'weight_peer',
  'weight_citizen',
  'weight_third_party',
] as const;

function normal(r: Record<string, unknown>): ContractMilestone {
  const out = { ...r } as Record<string, unknown>;
  for (const k of NUMBERS) out[k] = Number(r[k]);
  out.advance = r.advance === true || r.advance === 1 || r.advance === '1';
  out.pass_score = r.pass_score === null ? null : Number(r.pass_score);
  out.floor_score = r.floor_score === null ? null : Number(r.floor_score);
  return out as unknown as ContractMilestone;
}

const joined = (db: Queryable) => db('contract_milestones as m').join('contracts as c', 'c.id', 'm.contract_id');

/** The milestone `seq` of contract `contractId` (as it stands in the version in force), or undefined. */
export async function contractMilestone(
  db: Queryable,
  contractId: number,
  seq: number,
): Promise<ContractMilestone | undefined> {
  const r = await joined(db).where({ 'c.id': contractId, 'm.seq': seq }).first(COLUMNS);
  return r ? normal(r) : undefined;
}

/** The same inside a transaction, with the contract row locked (PostgreSQL) so that a termination or
 *  an amendment cannot cross the caller's write. */
export async function lockContractMilestone(
  trx: Knex.Transaction,
  contractId: number,
  seq: number,
): Promise<ContractMilestone | undefined> {
  const locked = await forUpdate(trx, trx('contracts').where({ id: contractId }).first('id'));
  if (!locked) return undefined;
  return contractMilestone(trx, contractId, seq);
}

/** By the milestone's row id (the payments step knows milestones by id). */
export async function contractMilestoneById(
  db: Queryable,
  milestoneId: number,
): Promise<ContractMilestone | undefined> {
  const r = await joined(db).where({ 'm.id': milestoneId }).first(COLUMNS);
  return r ? normal(r) : undefined;
}

/** Every milestone of the given contracts, in order (one query). */
export async function milestonesOfContracts(db: Queryable, contractIds: number[]): Promise<ContractMilestone[]> {
  if (!contractIds.length) return [];
  return (
    await joined(db)
      .whereIn('c.id', contractIds)
      .orderBy([{ column: 'c.id' }, { column: 'm.seq' }])
      .select(COLUMNS)
  ).map(normal);
}

/**
 * Unsettled milestones of active contracts due before `today` (a Beijing date, YYYY-MM-DD), for a
 * street office or an organization, oldest first, at most `limit`. The caller removes those that
 * have a submitted report. Uses the due-date index.
 */
export async function dueMilestones(
  db: Queryable,
  scope: { streetOfficeIds?: number[]; organizationId?: number },
  today: string,
  limit = 200,
): Promise<ContractMilestone[]> {
  const q = joined(db).where('c.status', 'active').whereNull('m.settlement').where('m.due_date', '<', today);
  if (scope.streetOfficeIds) q.whereIn('c.street_office_id', scope.streetOfficeIds);
  if (scope.organizationId !== undefined) q.where('c.organization_id', scope.organizationId);
  return (
    await q
      .orderBy([{ column: 'm.due_date' }, { column: 'c.id' }, { column: 'm.seq' }])
      .limit(limit)
      .select(COLUMNS)
  ).map(normal);
}
