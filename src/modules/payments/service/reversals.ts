import { auditedTransaction, type Actor } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { returnedId } from '../../../db/knex';
import { splitByWeights } from '../../../shared/split';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import type { SourceAmount } from '../../funds';
import { notify } from '../../notifications';
import { canPropose, canReadPayments } from '../policy';
import { paymentById, reversibleOf, sourcesOfPayments } from '../queries';
import { approversOf, contractRow, type Deps } from './common';
/**
 * The manager proposes a correction (追回) of a release: all or part of what is left of it, with a
 * reason. Split over the release's sources in proportion (largest remainder). A release is
 * corrected once (the ledger undoes each payment entry once). Approving it moves no money; the
 * return of the money, recorded by an approver, does (returns.ts).
 */
export async function proposeReversal(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  amountFen: number,
  reason: string,
): Promise<number> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canPropose(user, p)) throw new Forbidden('payments.errors.notManager');
    if (p.kind !== 'release') throw new InvalidState('payments.errors.notRelease');
    await trx('contracts').where({ id: p.contract_id }).forUpdate().first('id');
    // Corrected once: reversed already, or approved and waiting for the money to come back.
    if (
      (await trx('payments').where({ reverses_payment_id: p.id }).first('id')) ||
      (await trx('payment_proposals')
        .where({ reverses_payment_id: p.id, kind: 'reversal', status: 'approved' })
        .first('id'))
    )
      throw new InvalidState('payments.errors.alreadyReversed');
    const left = await reversibleOf(trx, p);
    if (!Number.isSafeInteger(amountFen) || amountFen <= 0)
      throw new ValidationFailed({ amount: 'payments.errors.amountPositive' });
    if (amountFen > left) throw new ValidationFailed({ amount: 'payments.errors.aboveReversible' });
    const sources = reversalSources((await sourcesOfPayments(trx, [p.id])).get(p.id) ?? [], amountFen);
    let id: number;
    try {
      const [inserted] = await trx('payment_proposals')
        .insert({
          kind: 'reversal',
          contract_id: p.contract_id,
          milestone_id: p.milestone_id,
          milestone_seq: p.milestone_seq,
          street_office_id: p.street_office_id,
          organization_id: p.organization_id,
          amount_fen: amountFen,
          allowed_fen: left,
          sources_json: JSON.stringify(sources),
          basis_json: JSON.stringify({ kind: 'reversal', releaseFen: p.amount_fen, leftFen: left }),
          reason,
          reverses_payment_id: p.id,
          status: 'proposed',
          proposed_by: user.id,
          proposed_at: now.toISOString(),
        })
        .returning('id');
      id = returnedId(inserted);
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadyProposed');
      throw err;
    }
    const number = (await contractRow(trx, p.contract_id)).number;
    await notify(
      trx,
      await approversOf(trx, p.street_office_id),
      {
        kind: 'payment.reversal_proposed',
        messageKey: 'payments.notifications.reversalProposed',
        params: { number },
        link: `/payments/proposals/${id}`,
        subjectType: 'payment_proposal',
        subjectId: id,
      },
      now,
    );
    return {
      result: id,
      audit: {
        action: 'payment.propose_reversal',
        subjectType: 'payment_proposal',
        subjectId: id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { payment_id: p.id, amount_fen: amountFen, sources, reason },
      },
    };
  });
}
/** A reversal of `amountFen` over the release's sources, in proportion, fen-exact. */
export function reversalSources(
  released: { source: SourceAmount['source']; amountFen: number }[],
  amountFen: number,
): SourceAmount[] {
  const parts = splitByWeights(
    amountFen,
    released.map((s) => s.amountFen),
  );
  return released.map((s, i) => ({ source: s.source, amountFen: parts[i] })).filter((s) => s.amountFen > 0);
}
