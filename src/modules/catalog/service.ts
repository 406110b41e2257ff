import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { isUniqueViolation } from '../../db/errors';
import { returnedId, type Tx } from '../../db/knex';
import { transition } from '../../db/transition';
import type { SessionUser } from '../accounts/roles';
import { Forbidden, NotFound, ValidationFailed } from '../../web/errors';
import { canAddItems, canKeepItem } from './policy';
import { findStreetOffice } from '../streets';
import { findCategory, type CatalogItemRow } from './queries';
import { methodsToColumn, type CatalogItemInput, type ItemStatus } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock'>;

function codeTaken(err: unknown): never {
  if (isUniqueViolation(err)) throw new ValidationFailed({ code: 'catalog.errors.codeTaken' });
  throw err;
}

/** The street office an item belongs to: a manager's own (never the form's); the administrator's choice. */
function owningStreet(user: SessionUser, input: CatalogItemInput): number | null {
  return user.role === 'admin' ? input.streetOfficeId : user.streetOfficeId;
}

function columns(input: CatalogItemInput) {
  return {
    category_id: input.categoryId,
    year: input.year,
    code: input.code,
    name: input.name,
    description: input.description,
    service_standard: input.serviceStandard,
    unit: input.unit,
    guidance_price_fen: input.guidancePrice,
    methods: methodsToColumn(input.methods),
  };
}

async function checkReferences(trx: Tx, input: CatalogItemInput, streetOfficeId: number | null) {
  if (!(await findCategory(trx, input.categoryId))) throw new ValidationFailed({ categoryId: 'validation.choose' });
  if (streetOfficeId !== null && !(await findStreetOffice(trx, streetOfficeId))) {
    throw new ValidationFailed({ streetOfficeId: 'validation.choose' });
  }
}

export async function createItem(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  input: CatalogItemInput,
): Promise<number> {
  if (!canAddItems(user)) throw new Forbidden();
  const now = deps.clock.now().toISOString();
  const streetOfficeId = owningStreet(user, input);
  return auditedTransaction(deps.db, actor, deps.clock.now(), async (trx) => {
    await checkReferences(trx, input, streetOfficeId);
    const row = {
      ...columns(input),
      street_office_id: streetOfficeId,
      status: 'active',
      created_by: user.id,
      created_at: now,
      updated_at: now,
    };
    const [inserted] = await trx('catalog_items').insert(row).returning('id');
    const id = returnedId(inserted);
    return {
      result: id,
      audit: { action: 'catalog_item.create', subjectType: 'catalog_item', subjectId: id, streetOfficeId, after: row },
    };
  }).catch(codeTaken);
}

async function lockItem(trx: Tx, user: SessionUser, id: number): Promise<CatalogItemRow> {
  const item = await trx<CatalogItemRow>('catalog_items').where({ id }).first();
  if (!item) throw new NotFound();
  if (!canKeepItem(user, item)) throw new Forbidden();
  return item;
}

export async function updateItem(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  id: number,
  input: CatalogItemInput,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const before = await lockItem(trx, user, id);
    // A manager's item stays theirs; only the administrator moves an item between street offices.
    const streetOfficeId = user.role === 'admin' ? input.streetOfficeId : before.street_office_id;
    await checkReferences(trx, input, streetOfficeId);
    const changes = { ...columns(input), street_office_id: streetOfficeId };
    await trx('catalog_items')
      .where({ id })
      .update({ ...changes, updated_at: now.toISOString() });
    const old = Object.fromEntries(Object.keys(changes).map((k) => [k, before[k as keyof CatalogItemRow]]));
    return {
      result: undefined,
      audit: {
        action: 'catalog_item.update',
        subjectType: 'catalog_item',
        subjectId: id,
        streetOfficeId,
        before: old,
        after: changes,
      },
    };
  }).catch(codeTaken);
}

/** Retire (no new calls may use it) or reactivate an item; a conditional update so a double click is a 409. */
export async function setItemStatus(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  id: number,
  status: ItemStatus,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const item = await lockItem(trx, user, id);
    const from: ItemStatus = status === 'retired' ? 'active' : 'retired';
    await transition(trx, {
      table: 'catalog_items',
      id,
      from,
      to: status,
      set: { updated_at: now.toISOString() },
      errorKey: status === 'retired' ? 'catalog.errors.alreadyRetired' : 'catalog.errors.alreadyActive',
    });
    return {
      result: undefined,
      audit: {
        action: status === 'retired' ? 'catalog_item.retire' : 'catalog_item.reactivate',
        subjectType: 'catalog_item',
        subjectId: id,
        streetOfficeId: item.street_office_id,
        before: { status: from },
        after: { status },
      },
    };
  });
}
