import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { auditedTransaction, type Actor } from '../../../audit/audit';
import { storeFile, withFileCleanup } from '../../../files/storage';
import { Forbidden, InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { tellSide } from './notices';
import { pdfInputOf } from '../pdf-input';
import { canManageContract, isPartyB } from '../policy';
import { renderContractPdf } from '../ports';
import { versionInForce, type ContractRow } from '../queries';
import { lockedContract, shanghaiDate, type Deps } from './common';

const audit = (c: ContractRow, action: string, before: unknown, after: unknown) => ({
  action,
  subjectType: 'contract',
  subjectId: c.id,
  streetOfficeId: c.street_office_id,
  organizationId: c.organization_id,
  before,
  after,
});

/** Moves the contract from one state to the next with a conditional update: of two racing requests one wins, the other is told. */
async function move(
  trx: import('knex').Knex.Transaction,
  c: ContractRow,
  from: string,
  changes: Record<string, unknown>,
  refusal: string,
) {
  const n = await trx('contracts').where({ id: c.id, status: from }).update(changes);
  if (n !== 1) throw new InvalidState(refusal);
}

/** The manager sends the draft to the organization (draft -> sent); its staff are notified. */
export async function sendContract(deps: Deps, actor: Actor, user: SessionUser, contractId: number): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!canManageContract(user, c)) throw new Forbidden('contracts.errors.notYourStreet');
    if (c.status !== 'draft') throw new InvalidState('contracts.errors.notDraft');
    await move(
      trx,
      c,
      'draft',
      { status: 'sent', sent_at: at, sent_by: user.id, updated_at: at },
      'contracts.errors.notDraft',
    );
    await tellSide(
      trx,
      c,
      'organization',
      { kind: 'contract.sent', messageKey: 'notifications.messages.contractSent' },
      now,
    );
    return { result: undefined, audit: audit(c, 'contract.send', { status: 'draft' }, { status: 'sent' }) };
  });
}

/** The organization's staff return the sent contract with comments (sent -> draft). */
export async function returnContract(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  contractId: number,
  comment: string,
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!isPartyB(user, c)) throw new Forbidden('contracts.errors.notPartyB');
    if (c.status !== 'sent') throw new InvalidState('contracts.errors.notSent');
    await move(
      trx,
      c,
      'sent',
      { status: 'draft', returned_at: at, returned_by: user.id, return_comment: comment, updated_at: at },
      'contracts.errors.notSent',
    );
    await tellSide(
      trx,
      c,
      'managers',
      { kind: 'contract.returned', messageKey: 'notifications.messages.contractReturned' },
      now,
    );
    return { result: undefined, audit: audit(c, 'contract.return', { status: 'sent' }, { status: 'draft', comment }) };
  });
}

/** The organization's staff accept the sent contract (sent -> accepted): party B's signature. */
export async function acceptContract(deps: Deps, actor: Actor, user: SessionUser, contractId: number): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const c = await lockedContract(trx, user, contractId);
    if (!isPartyB(user, c)) throw new Forbidden('contracts.errors.notPartyB');
    if (c.status !== 'sent') throw new InvalidState('contracts.errors.notSent');
    await move(
      trx,
      c,
      'sent',
      { status: 'accepted', accepted_at: at, accepted_by: user.id, updated_at: at },
      'contracts.errors.notSent',
    );
    await tellSide(
      trx,
      c,
      'managers',
      { kind: 'contract.accepted', messageKey: 'notifications.messages.contractAccepted' },
      now,
    );
    return {
      result: undefined,
      audit: audit(
        c,
        'contract.accept',
        { status: 'sent' },
        { status: 'accepted', accepted_by: user.id, accepted_at: at },
      ),
    };
  });
}

/** A generated PDF stored like an upload (random name, sha256), inside the caller's transaction. */
export function generatedFile(name: string, bytes: Buffer): Express.Multer.File {
  return {
    fieldname: 'pdf',
    originalname: name,
    encoding: '7bit',
    mimetype: 'application/pdf',
    size: bytes.length,
    buffer: bytes,
    destination: '',
    filename: '',
    path: '',
    stream: Readable.from([]),
  };
}

/**
 * The manager signs the accepted contract (accepted -> active): the signing date and signer are
 * recorded, the version becomes current, and the PDF is rendered once, stored, and its SHA-256
 * written on the contract and into this audit event. The download serves exactly those bytes.
 */
export async function signContract(deps: Deps, actor: Actor, user: SessionUser, contractId: number): Promise<string> {
  const now = deps.clock.now();
  const at = now.toISOString();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const c = await lockedContract(trx, user, contractId);
      if (!canManageContract(user, c)) throw new Forbidden('contracts.errors.notYourStreet');
      if (c.status === 'active' || c.status === 'completed' || c.status === 'terminated')
        throw new InvalidState('contracts.errors.alreadySigned');
      if (c.status !== 'accepted') throw new InvalidState('contracts.errors.notAccepted');
      const version = await versionInForce(trx, contractId);
      if (!version) throw new NotFound();
      const signed = {
        ...c,
        status: 'active' as const,
        signed_at: at,
        signed_by: user.id,
        signing_date: shanghaiDate(now),
      };
      const bytes = await renderContractPdf(await pdfInputOf(trx, signed, version, now), {
        draft: false,
        redacted: false,
      });
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      const stored = await storeFile(
        trx,
        deps.config.uploadDir,
        generatedFile(`${c.number}.pdf`, bytes),
        'pdf',
        user.id,
        now,
      );
      written.push(stored.storage_key);
      await move(
        trx,
        c,
        'accepted',
        {
          status: 'active',
          signed_at: at,
          signed_by: user.id,
          signing_date: signed.signing_date,
          pdf_file_id: stored.id,
          pdf_sha256: sha256,
          updated_at: at,
        },
        'contracts.errors.notAccepted',
      );
      await trx('contract_versions')
        .where({ id: version.id, status: 'draft' })
        .update({ status: 'current', decided_by: c.accepted_by, decided_at: c.accepted_at });
      await tellSide(
        trx,
        c,
        'organization',
        { kind: 'contract.signed', messageKey: 'notifications.messages.contractSigned' },
        now,
      );
      return {
        result: sha256,
        audit: audit(
          c,
          'contract.sign',
          { status: 'accepted' },
          {
            status: 'active',
            signed_by: user.id,
            signed_at: at,
            signing_date: signed.signing_date,
            pdf_sha256: sha256,
            pdf_bytes: bytes.length,
          },
        ),
      };
    }),
  );
}
