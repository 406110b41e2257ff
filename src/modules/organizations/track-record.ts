import type { Queryable } from '../../db/knex';
import { allPublicContracts, publicMilestonesOf, type PublicContractRow } from '../contracts';
import { publicEvaluationResults } from '../evaluations';
import { shanghaiDate } from '../../shared/time';
import { paymentsOfContract } from '../payments';

/**
 * An organization's public track record, read only through the contracts, evaluations and payments
 * modules' interfaces (this module never reads their tables): its signed contracts, what it has been
 * paid (released payments less reversals), how many evaluated milestones closed on or before their
 * due date, and the mean of its closed evaluations.
 */
export interface PublicTrackRecord {
  contracts: (PublicContractRow & { paidFen: number })[];
  completedContracts: number;
  receivedFen: number;
  evaluatedMilestones: number;
  onTimeMilestones: number;
  /** Mean of the closed evaluations' scores in hundredths (rounded half up), null when none. */
  meanScore: number | null;
}

export async function publicTrackRecord(db: Queryable, organizationId: number): Promise<PublicTrackRecord> {
  const contracts = await allPublicContracts(db, { organizationId });
  const milestones = await publicMilestonesOf(
    db,
    contracts.map((c) => c.id),
  );
  let receivedFen = 0;
  let evaluated = 0;
  let onTime = 0;
  const scores: number[] = [];
  const withPaid: PublicTrackRecord['contracts'] = [];
  for (const c of contracts) {
    const [payments, evaluations] = await Promise.all([
      paymentsOfContract(db, c.id),
      publicEvaluationResults(db, c.id),
    ]);
    const paidFen = payments.reduce(
      (s, p) => s + (p.kind === 'release' ? p.amountFen : p.kind === 'reversal' ? -Math.abs(p.amountFen) : 0),
      0,
    );
    receivedFen += paidFen;
    withPaid.push({ ...c, paidFen });
    for (const e of evaluations) {
      evaluated += 1;
      scores.push(e.score);
      const m = milestones.get(c.id)?.find((x) => x.seq === e.milestoneSeq);
      if (m && shanghaiDate(e.closedAt) <= m.dueDate) onTime += 1;
    }
  }
  return {
    contracts: withPaid,
    completedContracts: contracts.filter((c) => c.status === 'completed').length,
    receivedFen,
    evaluatedMilestones: evaluated,
    onTimeMilestones: onTime,
    meanScore: scores.length
      ? Math.floor((scores.reduce((a, b) => a + b, 0) * 2 + scores.length) / (2 * scores.length))
      : null,
  };
}
