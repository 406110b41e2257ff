import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { forUpdate, returnedId } from '../../db/knex';
import { transition } from '../../db/transition';
import { isUniqueViolation } from '../../db/errors';
import { discardFile, storeFile } from '../../files/storage';
import { shanghaiDate } from '../../shared/time';
import { InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import { insertUser, hashPassword } from '../accounts';
import type { OrganizationRow } from './queries';
import { TRANSITIONS, type Decision } from './policy';
import type { ProfileInput, RegistrationInput } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** The profile columns as the audit trail records them (before/after). */
function profileView(row: Partial<OrganizationRow>, categoryIds?: number[]) {
  return {
    name: row.name,
    credit_code: row.credit_code,
    org_type: row.org_type,
    legal_representative: row.legal_representative,
    contact_person: row.contact_person,
    contact_phone: row.contact_phone,
    contact_email: row.contact_email,
    founded_on: row.founded_on,
    certified_social_workers: row.certified_social_workers,
    status: row.status,
    ...(categoryIds ? { service_category_ids: categoryIds } : {}),
  };
}

function profileColumns(input: ProfileInput) {
  return {
    name: input.name,
    org_type: input.orgType,
    legal_representative: input.legalRepresentative,
    contact_person: input.contactPerson,
    contact_phone: input.contactPhone,
    contact_email: input.contactEmail,
    founded_on: input.foundedOn,
    certified_social_workers: input.certifiedSocialWorkers,
  };
}

/** Today's date in Shanghai, YYYY-MM-DD. */

/** Checks what the form alone cannot: the categories exist and the founding date is not in the future. */
async function checkProfile(deps: Deps, input: ProfileInput, now: Date, errors: Record<string, string>): Promise<void> {
  const known = await deps.db('service_categories').whereIn('id', input.categoryIds).select('id');
  if (known.length !== input.categoryIds.length) errors.categoryIds = 'validation.choose';
  if (input.foundedOn > shanghaiDate(now)) errors.foundedOn = 'organizations.validation.foundedInFuture';
  if (input.foundedOn < '1900-01-01') errors.foundedOn = 'validation.format';
}

async function replaceCategories(trx: Knex.Transaction, organizationId: number, categoryIds: number[]): Promise<void> {
  await trx('organization_service_categories').where({ organization_id: organizationId }).delete();
  await trx('organization_service_categories').insert(
    categoryIds.map((id) => ({ organization_id: organizationId, service_category_id: id })),
  );
}

async function categoryIdsOf(db: Deps['db'], organizationId: number): Promise<number[]> {
  const rows = await db('organization_service_categories')
    .where({ organization_id: organizationId })
    .orderBy('service_category_id')
    .select('service_category_id');
  return rows.map((r) => Number(r.service_category_id));
}

/**
 * A social organization registers itself: the organization (pending review), its service
 * categories and its first staff account, in one audited transaction. A taken credit code or
 * username is a form error; when two registrations race, the unique indexes decide and the loser
 * gets the same form error with nothing written.
 */
/** The letters of a sign-in name's suffix: no 0/o, 1/l/i, so it can be read out and typed back. */
const SUFFIX_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `<typed>-<4 random letters>`: every self-registered account gets one, so that the answer never
 *  depends on whether the name typed already exists (item 5 of issue 7). */
export function registeredUsername(typed: string): string {
  const bytes = crypto.randomBytes(4);
  return `${typed}-${Array.from(bytes, (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('')}`;
}

/**
 * Registers the organization (pending) and its first staff account. The account's sign-in name is
 * the name typed with a random suffix, chosen here: the registrant learns it on the next page, and
 * nobody learns whether the name typed is someone else's (a clash of the whole name, about one in a
 * million, is retried with another suffix). A credit code that is already registered is refused by
 * name: the code is public (printed on the certificate, searchable nationally), and the organization
 * whose code was used by someone else must learn it to contact the district.
 */
export async function registerOrganization(
  deps: Deps,
  actor: Actor,
  input: RegistrationInput,
): Promise<{ organizationId: number; userId: number; username: string }> {
  const now = deps.clock.now();
  const errors: Record<string, string> = {};
  await checkProfile(deps, input, now, errors);
  const codeTaken = await deps.db('organizations').where({ credit_code: input.creditCode }).first('id');
  if (codeTaken) errors.creditCode = 'organizations.validation.creditCodeTaken';
  if (Object.keys(errors).length) throw new ValidationFailed(errors);

  const passwordHash = await hashPassword(input.password, deps.config.bcryptRounds);
  const at = now.toISOString();
  const register = (username: string) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const org = {
        ...profileColumns(input),
        credit_code: input.creditCode,
        status: 'pending' as const,
        created_at: at,
        updated_at: at,
      };
      const [inserted] = await trx('organizations').insert(org).returning('id');
      const organizationId = returnedId(inserted);
      await replaceCategories(trx, organizationId, input.categoryIds);
      const user = {
        username,
        display_name: input.displayName,
        password_hash: passwordHash,
        role: 'org_staff' as const,
        street_office_id: null,
        organization_id: organizationId,
        disabled_at: null,
        created_at: at,
        updated_at: at,
      };
      const userId = await insertUser(trx, user);
      return {
        result: { organizationId, userId, username },
        audit: [
          {
            action: 'organization.register',
            subjectType: 'organization',
            subjectId: organizationId,
            organizationId,
            after: profileView(org, input.categoryIds),
          },
          {
            action: 'user.create',
            subjectType: 'user',
            subjectId: userId,
            organizationId,
            after: {
              username: user.username,
              display_name: user.display_name,
              role: user.role,
              organization_id: organizationId,
            },
          },
        ],
      };
    });
  for (let tries = 1; ; tries++) {
    try {
      return await register(registeredUsername(input.username));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const e = err as { constraint?: string; message?: string };
      if (/credit_code/.test(`${e.constraint ?? ''} ${e.message ?? ''}`))
        throw new ValidationFailed({ creditCode: 'organizations.validation.creditCodeTaken' });
      if (tries >= 5) throw err;
    }
  }
}

/** Staff change their profile (never the credit code, which identifies the organization). */
export async function updateProfile(
  deps: Deps,
  actor: Actor,
  org: OrganizationRow,
  input: ProfileInput,
): Promise<void> {
  const now = deps.clock.now();
  const errors: Record<string, string> = {};
  await checkProfile(deps, input, now, errors);
  if (Object.keys(errors).length) throw new ValidationFailed(errors);
  const beforeCategories = await categoryIdsOf(deps.db, org.id);
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const changes = { ...profileColumns(input), updated_at: now.toISOString() };
    // Suspension may have happened since the page was loaded: the update applies only if it has not.
    const n = await trx('organizations').where({ id: org.id }).whereNot({ status: 'suspended' }).update(changes);
    if (n !== 1) throw new InvalidState('organizations.errors.notEditable');
    await replaceCategories(trx, org.id, input.categoryIds);
    return {
      result: undefined,
      audit: {
        action: 'organization.update',
        subjectType: 'organization',
        subjectId: org.id,
        organizationId: org.id,
        before: profileView(org, beforeCategories),
        after: profileView({ ...org, ...changes }, input.categoryIds),
      },
    };
  });
}

/**
 * A review decision (approve, reject, suspend, reinstate) or a rejected organization's resubmission.
 * The row is locked and the status changes only from the expected one, so two administrators
 * deciding at once cannot both succeed: the second gets "this organization is no longer <status>".
 */
export async function decide(
  deps: Deps,
  actor: Actor,
  organizationId: number,
  decision: Decision,
  reason: string | null,
): Promise<OrganizationRow> {
  const { from, to } = TRANSITIONS[decision];
  const now = deps.clock.now();
  const at = now.toISOString();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const query = trx<OrganizationRow>('organizations').where({ id: organizationId }).first();
    const before = (await forUpdate(trx, query)) as OrganizationRow | undefined;
    if (!before) throw new NotFound();
    if (before.status !== from) throw new InvalidState('organizations.errors.wrongStatus');
    const changes =
      decision === 'resubmit'
        ? { status: to, updated_at: at }
        : { status: to, status_reason: reason, reviewed_at: at, reviewed_by: actor.userId, updated_at: at };
    await transition(trx, {
      table: 'organizations',
      id: organizationId,
      from,
      to,
      set: changes,
      errorKey: 'organizations.errors.wrongStatus',
    });
    return {
      result: { ...before, ...changes } as OrganizationRow,
      audit: {
        action: `organization.${decision}`,
        subjectType: 'organization',
        subjectId: organizationId,
        organizationId,
        before: { status: before.status, status_reason: before.status_reason },
        after: { status: to, status_reason: decision === 'resubmit' ? before.status_reason : reason },
      },
    };
  });
}

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
      const id = returnedId(inserted);
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
