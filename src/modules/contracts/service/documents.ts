import { auditedTransaction, type Actor } from '../../../audit/audit';
import { storeFile, withFileCleanup, type StoredFileRow } from '../../../files/storage';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { pdfInputOf } from '../pdf-input';
import { canManageContract, canReadContract, isSigned } from '../policy';
import { renderContractPdf } from '../ports';
import { lockContract, versionInForce, type ContractRow } from '../queries';
import type { Deps } from './common';

export type Download = { kind: 'stored'; file: StoredFileRow } | { kind: 'rendered'; bytes: Buffer; name: string };

/**
 * The contract's PDF for a reader: a signed contract's stored bytes (exactly those whose SHA-256
 * was recorded), a draft rendered now with the watermark. Every such download of the unredacted
 * contract is audited.
 */
export async function contractPdf(deps: Deps, actor: Actor, user: SessionUser, contractId: number): Promise<Download> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = contractId ? await lockContract(trx, contractId, false) : undefined;
    if (
      !c ||
      !canReadContract(user, {
        ...c,
        street_office_id: Number(c.street_office_id),
        organization_id: Number(c.organization_id),
      })
    )
      throw new NotFound();
    let result: Download;
    if (c.pdf_file_id) {
      const file = await trx('stored_files').where({ id: c.pdf_file_id }).first();
      result = { kind: 'stored', file };
    } else {
      const version = await versionInForce(trx, contractId);
      if (!version) throw new NotFound();
      result = {
        kind: 'rendered',
        bytes: await renderContractPdf(await pdfInputOf(trx, c, version, now), { draft: true, redacted: false }),
        name: `${c.number}-draft.pdf`,
      };
    }
    return {
      result,
      audit: {
        action: 'contract.download',
        subjectType: 'contract',
        subjectId: c.id,
        streetOfficeId: Number(c.street_office_id),
        organizationId: Number(c.organization_id),
        after: { document: c.pdf_file_id ? 'signed_pdf' : 'draft_pdf', sha256: c.pdf_sha256 },
      },
    };
  });
}

/** The public, redacted PDF of a signed contract (no personal phone numbers, ID numbers or addresses). Nothing of a draft. */
export async function publicPdf(deps: Deps, contractId: number): Promise<{ bytes: Buffer; name: string }> {
  const c = contractId
    ? ((await deps.db('contracts').where({ id: contractId }).first()) as ContractRow | undefined)
    : undefined;
  if (!c || !isSigned(c)) throw new NotFound();
  const version = await versionInForce(deps.db, contractId);
  if (!version) throw new NotFound();
  const bytes = await renderContractPdf(await pdfInputOf(deps.db, c, version, deps.clock.now()), {
    draft: false,
    redacted: true,
  });
  return { bytes, name: `${c.number}-public.pdf` };
}

/** The scanned paper contract with both seals (盖章扫描件), uploaded by the manager after signing, kept with its own SHA-256. */
export async function uploadScan(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  file: Express.Multer.File | undefined,
): Promise<void> {
  const now = deps.clock.now();
  await withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const c = contractId ? await lockContract(trx, contractId, false) : undefined;
      const scope = c && {
        ...c,
        street_office_id: Number(c.street_office_id),
        organization_id: Number(c.organization_id),
      };
      if (!scope || !canReadContract(user, scope)) throw new NotFound();
      if (!canManageContract(user, scope)) throw new Forbidden('contracts.errors.notYourStreet');
      if (!isSigned(scope)) throw new InvalidState('contracts.errors.scanBeforeSigning');
      if (!file) throw new InvalidState('contracts.errors.scanRequired');
      const stored = await storeFile(trx, deps.config.uploadDir, file, 'scan', user.id, now);
      written.push(stored.storage_key);
      await trx('contracts')
        .where({ id: contractId })
        .update({ scan_file_id: stored.id, scan_sha256: stored.sha256, updated_at: now.toISOString() });
      return {
        result: undefined,
        audit: {
          action: 'contract.scan',
          subjectType: 'contract',
          subjectId: contractId,
          streetOfficeId: scope.street_office_id,
          organizationId: scope.organization_id,
          before: { scan_sha256: c.scan_sha256 },
          after: { scan_sha256: stored.sha256, name: stored.original_name },
        },
      };
    }),
  );
}

/** The scan for a reader (audited like every unredacted download). */
export async function contractScan(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
): Promise<StoredFileRow> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = contractId ? await lockContract(trx, contractId, false) : undefined;
    if (
      !c ||
      !canReadContract(user, {
        ...c,
        street_office_id: Number(c.street_office_id),
        organization_id: Number(c.organization_id),
      }) ||
      !c.scan_file_id
    )
      throw new NotFound();
    const file = await trx('stored_files').where({ id: c.scan_file_id }).first();
    return {
      result: file,
      audit: {
        action: 'contract.download',
        subjectType: 'contract',
        subjectId: c.id,
        streetOfficeId: Number(c.street_office_id),
        organizationId: Number(c.organization_id),
        after: { document: 'scan', sha256: c.scan_sha256 },
      },
    };
  });
}
