import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { discardFile, storeFile } from '../../files/storage';
import { ValidationFailed } from '../../web/errors';
import type { OrganizationRow } from './queries';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** Stores a qualification document for an organization: the file and its record in one transaction. */
export async function addDocument(
  deps: Deps,
  actor: Actor,
  org: OrganizationRow,
  kind: string,
  file: Express.Multer.File | undefined,
): Promise<number> {
  if (!file) throw new ValidationFailed({ file: 'uploads.required' });
  const now = deps.clock.now();
  let storedKey: string | null = null;
  try {
    return await auditedTransaction(deps.db, actor, now, async (trx) => {
      const stored = await storeFile(trx, deps.config.uploadDir, file, 'file', actor.userId!, now);
      storedKey = stored.storage_key;
      const [inserted] = await trx('organization_documents')
        .insert({ organization_id: org.id, file_id: stored.id, kind, created_at: now.toISOString() })
        .returning('id');
      const id = Number(typeof inserted === 'object' ? inserted.id : inserted);
      return {
        result: id,
        audit: {
          action: 'organization.document_add',
          subjectType: 'organization',
          subjectId: org.id,
          organizationId: org.id,
          after: { document_id: id, kind, name: stored.original_name, sha256: stored.sha256, size: stored.size_bytes },
        },
      };
    });
  } catch (err) {
    if (storedKey) await discardFile(deps.config.uploadDir, storedKey);
    throw err;
  }
}
