import { auditedTransaction, type Actor } from '../../../audit/audit';
import { returnedId } from '../../../db/knex';
import type { AppDeps } from '../../../deps';
import { storeFile, withFileCleanup } from '../../../files/storage';
import { Forbidden, InvalidState, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { canUploadInvoice } from '../policy';
import { lockedMilestone } from './common';
/** The organization uploads its invoice or receipt (发票/收据) for a milestone, before the proposal. */
export async function uploadInvoice(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  seq: number,
  file: Express.Multer.File,
  kind: 'invoice' | 'receipt',
  amountFen: number,
): Promise<number> {
  const now = deps.clock.now();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const m = await lockedMilestone(trx, user, contractId, seq);
      if (!canUploadInvoice(user, m)) throw new Forbidden('payments.errors.notPayee');
      if (m.contract_status !== 'active') throw new InvalidState('payments.errors.contractNotActive');
      if (m.settlement) throw new InvalidState('payments.errors.alreadySettled');
      if (amountFen > m.amount_fen) throw new ValidationFailed({ amount: 'payments.errors.invoiceAboveShare' });
      const stored = await storeFile(trx, deps.config.uploadDir, file, 'file', user.id, now);
      written.push(stored.storage_key);
      const [inserted] = await trx('payment_invoices')
        .insert({
          contract_id: contractId,
          milestone_seq: m.seq,
          file_id: stored.id,
          kind,
          amount_fen: amountFen,
          uploaded_by: user.id,
          uploaded_at: now.toISOString(),
        })
        .returning('id');
      const id = returnedId(inserted);
      return {
        result: id,
        audit: {
          action: 'payment.invoice_upload',
          subjectType: 'payment_invoice',
          subjectId: id,
          streetOfficeId: m.street_office_id,
          organizationId: m.organization_id,
          after: { contract_id: contractId, milestone_seq: seq, kind, amount_fen: amountFen, sha256: stored.sha256 },
        },
      };
    }),
  );
}
