import { auditedTransaction, type Actor } from '../../../audit/audit';
import { isUniqueViolation } from '../../../db/errors';
import { shanghaiDate } from '../../../shared/time';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { canApprove, canPropose, canReadPayments } from '../policy';
import { paymentById, type PaymentRow } from '../queries';
import type { Deps } from './common';
/** The voucher number (支付凭证号) and date the money left (or came back), once, by an approver. */
export async function recordVoucher(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  voucherRef: string,
  paidOn: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canApprove(user, p)) throw new Forbidden('payments.errors.notApprover');
    if (p.kind === 'withheld') throw new InvalidState('payments.errors.nothingPaid');
    if (paidOn < shanghaiDate(new Date(p.approved_at)))
      throw new ValidationFailed({ paidOn: 'payments.errors.paidBeforeApproval' });
    if (paidOn > shanghaiDate(now)) throw new ValidationFailed({ paidOn: 'payments.errors.paidInFuture' });
    try {
      await trx('payment_vouchers').insert({
        payment_id: p.id,
        voucher_ref: voucherRef,
        paid_on: paidOn,
        recorded_by: user.id,
        recorded_at: now.toISOString(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.voucherRecorded');
      throw err;
    }
    return {
      result: undefined,
      audit: {
        action: 'payment.voucher',
        subjectType: 'payment',
        subjectId: p.id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { voucher_ref: voucherRef, paid_on: paidOn },
      },
    };
  });
}
/**
 * After a withheld milestone the manager decides, with a reason, whether the contract goes on or is
 * terminated. The decision is recorded (once per withheld payment); a termination is then carried
 * out by the contracts module (its unpaid commitment returns to the fund), in its own transaction.
 */
export async function recordWithheldDecision(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  paymentId: number,
  decision: 'continue' | 'terminate',
  reason: string,
): Promise<PaymentRow> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const p = await paymentById(trx, paymentId);
    if (!p || !canReadPayments(user, p)) throw new NotFound();
    if (!canPropose(user, p)) throw new Forbidden('payments.errors.notManager');
    if (p.kind !== 'withheld') throw new InvalidState('payments.errors.notWithheld');
    const c = await trx('contracts').where({ id: p.contract_id }).forUpdate().first('status');
    if (c.status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
    try {
      await trx('payment_withheld_decisions').insert({
        payment_id: p.id,
        contract_id: p.contract_id,
        decision,
        reason,
        decided_by: user.id,
        decided_at: now.toISOString(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvalidState('payments.errors.alreadyDecidedWithheld');
      throw err;
    }
    return {
      result: p,
      audit: {
        action: 'payment.withheld_decision',
        subjectType: 'payment',
        subjectId: p.id,
        streetOfficeId: p.street_office_id,
        organizationId: p.organization_id,
        after: { decision, reason },
      },
    };
  });
}
