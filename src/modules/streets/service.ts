import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import { NotFound, ValidationFailed } from '../../web/errors';
import * as repo from './queries';
import type { StreetOfficeInput } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

function nameTaken(err: unknown): never {
  if (isUniqueViolation(err)) {
    // SQLite names the column, PostgreSQL the index (the message also quotes the SQL, so match exactly).
    const text = String((err as Error).message ?? '');
    const code = /street_offices\.short_code|street_offices_short_code_unique/.test(text);
    throw new ValidationFailed(code ? { shortCode: 'validation.shortCodeTaken' } : { name: 'validation.nameTaken' });
  }
  throw err;
}

const columns = (input: StreetOfficeInput) => ({
  name: input.name,
  district: input.district,
  short_code: input.shortCode,
  legal_representative: input.legalRepresentative,
  address: input.address,
});

export async function createStreetOffice(deps: Deps, actor: Actor, input: StreetOfficeInput): Promise<number> {
  const now = deps.clock.now();
  return auditedTransaction(deps.db, actor, now, async (trx) => {
    const row = { ...columns(input), created_at: now.toISOString(), updated_at: now.toISOString() };
    const id = await repo.insertStreetOffice(trx, row);
    return {
      result: id,
      audit: {
        action: 'street_office.create',
        subjectType: 'street_office',
        subjectId: id,
        streetOfficeId: id,
        after: input,
      },
    };
  }).catch(nameTaken);
}

export async function renameStreetOffice(
  deps: Deps,
  actor: Actor,
  id: number,
  input: StreetOfficeInput,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const before = await repo.findStreetOffice(trx, id);
    if (!before) throw new NotFound();
    await repo.updateStreetOffice(trx, id, { ...columns(input), updated_at: now.toISOString() });
    return {
      result: undefined,
      audit: {
        action: 'street_office.rename',
        subjectType: 'street_office',
        subjectId: id,
        streetOfficeId: id,
        before: {
          name: before.name,
          district: before.district,
          shortCode: before.short_code,
          legalRepresentative: before.legal_representative,
          address: before.address,
        },
        after: input,
      },
    };
  }).catch(nameTaken);
}
