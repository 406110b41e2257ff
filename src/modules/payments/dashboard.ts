import type { AppDeps } from '../../deps';
import type { SessionUser } from '../accounts/roles';
import { approverQueue, returnsToRecord, type ListedProposal, type ReturnToRecord } from './queries';

export interface MilestoneToPropose {
  contract_id: number;
  contract_number: string;
  organization_name: string;
  seq: number;
  title: string;
  amount_fen: number;
  advance: boolean;
  /** The path of the proposal form. */
  link: string;
}

export interface PaymentDashboard {
  /** Approver: proposals waiting in their street, oldest first (their own marked, not decidable by them). */
  queue: (ListedProposal & { own: boolean; link: string })[];
  /** Manager: milestones of active contracts that can be proposed now (an advance, or a closed
   *  evaluation), unsettled and without an open proposal, oldest due first. */
  toPropose: MilestoneToPropose[];
  /** Approver: released payments whose voucher (支付凭证号) is not recorded yet. */
  vouchersMissing: {
    payment_id: number;
    contract_number: string;
    milestone_seq: number;
    amount_fen: number;
    approved_at: string;
    link: string;
  }[];
  /** Approver: approved corrections (追回) whose money has not come back yet, oldest decision first:
   *  recording the return is what moves the money. */
  returnsToRecord: (ReturnToRecord & { link: string })[];
}

const LIMIT = 50;

/** The payments part of a user's dashboard; undefined for roles that have none (only managers and approvers). */
export async function paymentDashboard(
  deps: Pick<AppDeps, 'db'>,
  user: SessionUser,
): Promise<PaymentDashboard | undefined> {
  if ((user.role !== 'manager' && user.role !== 'approver') || !user.streetOfficeId) return undefined;
  const street = user.streetOfficeId;
  const { db } = deps;
  if (user.role === 'approver') {
    const queue = (await approverQueue(db, street, LIMIT)).map((p) => ({
      ...p,
      own: p.proposed_by === user.id,
      link: `/payments/proposals/${p.id}`,
    }));
    const missing = await db('payments as p')
      .join('contracts as c', 'c.id', 'p.contract_id')
      .leftJoin('payment_vouchers as v', 'v.payment_id', 'p.id')
      .where('p.street_office_id', street)
      .whereNot('p.kind', 'withheld')
      .whereNull('v.id')
      // Oldest approval first, in the order of payments_street_time_idx: the walk stops at the
      // LIMIT-th payment without a voucher instead of sorting every payment of the street.
      .orderBy([{ column: 'p.approved_at' }, { column: 'p.id' }])
      .limit(LIMIT)
      .select('p.id', 'c.number', 'p.milestone_seq', 'p.amount_fen', 'p.approved_at');
    const returns = (await returnsToRecord(db, street, LIMIT)).map((r) => ({
      ...r,
      link: `/payments/proposals/${r.proposal_id}`,
    }));
    return {
      queue,
      toPropose: [],
      returnsToRecord: returns,
      vouchersMissing: missing.map((r: Record<string, unknown>) => ({
        payment_id: Number(r.id),
        contract_number: String(r.number),
        milestone_seq: Number(r.milestone_seq),
        amount_fen: Number(r.amount_fen),
        approved_at: String(r.approved_at),
        link: `/payments/${Number(r.id)}`,
      })),
    };
  }
  const rows = await db('contract_milestones as m')
    .join('contracts as c', 'c.id', 'm.contract_id')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .where({ 'c.street_office_id': street, 'c.status': 'active' })
    .whereNull('m.settlement')
    .whereNotExists(
      db('payment_proposals as pr')
        .whereRaw('pr.contract_id = m.contract_id and pr.milestone_seq = m.seq')
        .where('pr.status', 'proposed')
        .whereNot('pr.kind', 'reversal'),
    )
    .where((q) =>
      q
        .where('m.advance', true)
        .orWhereExists(
          db('milestone_evaluations as e')
            .whereRaw('e.contract_id = m.contract_id and e.milestone_seq = m.seq')
            .where('e.status', 'closed'),
        ),
    )
    // Not while the organization's review (复核) of that evaluation is open: the proposal would be refused.
    .whereNotExists(
      db('milestone_evaluations as re')
        .join('evaluation_reviews as r', 'r.evaluation_id', 're.id')
        .whereRaw('re.contract_id = m.contract_id and re.milestone_seq = m.seq')
        .where('r.status', 'open'),
    )
    .orderBy([{ column: 'm.due_date' }, { column: 'c.id' }, { column: 'm.seq' }])
    .limit(LIMIT)
    .select('c.id as contract_id', 'c.number', 'o.name', 'm.seq', 'm.title', 'm.amount_fen', 'm.advance');
  return {
    queue: [],
    vouchersMissing: [],
    returnsToRecord: [],
    toPropose: rows.map((r: Record<string, unknown>) => ({
      contract_id: Number(r.contract_id),
      contract_number: String(r.number),
      organization_name: String(r.name),
      seq: Number(r.seq),
      title: String(r.title),
      amount_fen: Number(r.amount_fen),
      advance: r.advance === true || r.advance === 1,
      link: `/contracts/${Number(r.contract_id)}/milestones/${Number(r.seq)}/payment`,
    })),
  };
}
