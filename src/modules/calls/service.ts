import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { type Tx, returnedId } from '../../db/knex';
import { storeFile, withFileCleanup } from '../../files/storage';
import { formatMoney } from '../../shared/money';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import { moveCall } from './lifecycle';
import type { SessionUser } from '../accounts/roles';
import { itemState, itemUsableBy, methodsFromColumn } from '../catalog';
import {
  InsufficientFunds,
  releaseCallReservation,
  reserveForCall,
  streetYearBalances,
  type FundSource,
} from '../funds';
import { amendmentAllowed } from './amendment';
import { bidderOrganizationIds } from '../bids/index';
import { notify, staffOf } from '../notifications';
import type { CallInput, Problems } from './input';
import { canManageCall } from './policy';
import { callCriteria, callSources, findCallRow, type CallRow } from './queries';
import { amountField } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** A call refused for its content: field -> i18n key and values; the form is shown again with 422. */
export class CallProblems extends ValidationFailed {}

const fundsProblem = (err: InsufficientFunds): Problems => ({
  [amountField(err.source)]: {
    key: 'calls.errors.fundsShort',
    params: { source: `funds.sources.${err.source}`, shortfall: formatMoney(err.shortfallFen) },
  },
});

/** Checks that need the database: the catalogue item, and whether the sources can cover the budget
 *  now (publishing reserves for real; this check gives the manager the message on the form). */
async function checkAgainstDb(
  trx: Tx,
  streetOfficeId: number,
  input: CallInput,
  ownReserved: Map<FundSource, number>,
): Promise<Problems> {
  const problems: Problems = {};
  const item = await itemState(trx, input.catalogItemId);
  if (!item || !itemUsableBy(streetOfficeId, item)) problems.catalogItemId = { key: 'validation.choose' };
  else if (item.status !== 'active') problems.catalogItemId = { key: 'calls.errors.itemRetired' };
  else {
    if (!methodsFromColumn(item.methods).includes(input.method))
      problems.method = { key: 'calls.errors.methodNotAllowed' };
    if (Number(item.year) !== input.budgetYear)
      problems.budgetYear = { key: 'calls.errors.itemYear', params: { year: item.year } };
  }
  const balances = await streetYearBalances(trx, streetOfficeId, input.budgetYear);
  for (const { source, amountFen } of input.amounts) {
    const available = balances.bySource[source].availableFen + (ownReserved.get(source) ?? 0);
    if (amountFen > available) {
      problems[amountField(source)] = {
        key: 'calls.errors.fundsShort',
        params: { source: `funds.sources.${source}`, shortfall: formatMoney(amountFen - Math.max(0, available)) },
      };
    }
  }
  return problems;
}

function callColumns(input: CallInput) {
  return {
    catalog_item_id: input.catalogItemId,
    title: input.title,
    description: input.description,
    funding_mode: input.fundingMode,
    method: input.method,
    budget_fen: input.budgetFen,
    budget_year: input.budgetYear,
    per_project_cap_fen: input.perProjectCapFen,
    opens_at: input.opensAt.toISOString(),
    closes_at: input.closesAt.toISOString(),
    weight_self: input.weights.self,
    weight_manager: input.weights.manager,
    weight_peer: input.weights.peer,
    weight_citizen: input.weights.citizen,
    weight_third_party: input.weights.third_party,
    publicity_days: input.publicityDays,
    max_advance_percent: input.maxAdvancePercent,
    review_days: input.reviewDays,
    citizen_min_ratings: input.citizenMinRatings,
  };
}

async function writeChildren(trx: Tx, callId: number, input: CallInput) {
  await trx('call_fund_sources').where({ call_id: callId }).delete();
  await trx('call_criteria').where({ call_id: callId }).delete();
  if (input.amounts.length)
    await trx('call_fund_sources').insert(
      input.amounts.map((a) => ({ call_id: callId, source: a.source, amount_fen: a.amountFen })),
    );
  if (input.criteria.length)
    await trx('call_criteria').insert(
      input.criteria.map((c, i) => ({ call_id: callId, position: i + 1, name: c.name, weight: c.weight })),
    );
}

/** Stores uploaded documents inside the call's transaction; keys are collected so the caller can
 *  remove written files if the transaction fails. */
async function storeDocuments(
  trx: Tx,
  deps: Deps,
  callId: number,
  files: Express.Multer.File[],
  userId: number,
  now: Date,
  written: string[],
) {
  const names: string[] = [];
  for (const file of files) {
    const stored = await storeFile(trx, deps.config.uploadDir, file, 'documents', userId, now);
    written.push(stored.storage_key);
    await trx('call_documents').insert({ call_id: callId, file_id: stored.id, created_at: now.toISOString() });
    names.push(stored.original_name);
  }
  return names;
}

async function lockCall(trx: Tx, id: number): Promise<CallRow> {
  const call = await findCallRow(trx, id, true);
  if (!call) throw new NotFound();
  return call;
}

export async function createDraft(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  input: CallInput,
  files: Express.Multer.File[],
): Promise<number> {
  if (user.role !== 'manager' || !user.streetOfficeId) throw new Forbidden();
  const streetOfficeId = user.streetOfficeId;
  const now = deps.clock.now();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const problems = await checkAgainstDb(trx, streetOfficeId, input, new Map());
      if (Object.keys(problems).length) throw new CallProblems(problems);
      const row = {
        ...callColumns(input),
        street_office_id: streetOfficeId,
        status: 'draft',
        created_by: user.id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      const [inserted] = await trx('calls').insert(row).returning('id');
      const id = returnedId(inserted);
      await writeChildren(trx, id, input);
      const documents = await storeDocuments(trx, deps, id, files, user.id, now, written);
      return {
        result: id,
        audit: {
          action: 'call.draft',
          subjectType: 'call',
          subjectId: id,
          streetOfficeId,
          after: { ...row, amounts: input.amounts, criteria: input.criteria, documents },
        },
      };
    }),
  );
}

/** A comparable picture of a call, for the amendment record (field -> value). */
type SnapshotRow = Pick<CallRow, Exclude<keyof ReturnType<typeof callColumns>, never>>;
function snapshot(
  row: SnapshotRow,
  amounts: { source: string; amountFen: number }[],
  criteria: { name: string; weight: number }[],
) {
  return {
    catalogItemId: Number(row.catalog_item_id),
    title: row.title,
    description: row.description,
    fundingMode: row.funding_mode,
    method: row.method,
    budgetYear: Number(row.budget_year),
    amounts: Object.fromEntries(amounts.map((a) => [a.source, Number(a.amountFen)])),
    perProjectCapFen: row.per_project_cap_fen === null ? null : Number(row.per_project_cap_fen),
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    criteria: criteria.map((c) => ({ name: c.name, weight: Number(c.weight) })),
    weights: {
      self: Number(row.weight_self),
      manager: Number(row.weight_manager),
      peer: Number(row.weight_peer),
      citizen: Number(row.weight_citizen),
      third_party: Number(row.weight_third_party),
    },
    publicityDays: Number(row.publicity_days),
    maxAdvancePercent: Number(row.max_advance_percent),
    reviewDays: Number(row.review_days),
    citizenMinRatings: Number(row.citizen_min_ratings),
  };
}
export type CallSnapshot = ReturnType<typeof snapshot>;
export interface Change {
  field: keyof CallSnapshot | 'documents';
  before: unknown;
  after: unknown;
}

function diff(before: CallSnapshot, after: CallSnapshot): Change[] {
  return (Object.keys(after) as (keyof CallSnapshot)[])
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}

export type SaveOutcome = 'draftSaved' | 'amended' | 'unchanged';

/** Saves the form of an existing call: a draft is simply updated; a published call is amended
 *  (recorded, shown on the call, re-reserving its budget when the money changed). */
export async function saveCall(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  input: CallInput,
  files: Express.Multer.File[],
): Promise<SaveOutcome> {
  const now = deps.clock.now();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const call = await lockCall(trx, callId);
      if (!canManageCall(user, call)) throw new Forbidden();
      const currentSources = await callSources(trx, callId);
      const before = snapshot(
        call,
        currentSources.map((s) => ({ source: s.source, amountFen: s.amount_fen })),
        await callCriteria(trx, callId),
      );
      const after = snapshot(callColumns(input), input.amounts, input.criteria);
      const changes = diff(before, after);

      if (call.status === 'draft') {
        const problems = await checkAgainstDb(trx, call.street_office_id, input, new Map());
        if (Object.keys(problems).length) throw new CallProblems(problems);
        await trx('calls')
          .where({ id: callId, status: 'draft' })
          .update({ ...callColumns(input), updated_at: now.toISOString() });
        await writeChildren(trx, callId, input);
        const documents = await storeDocuments(trx, deps, callId, files, user.id, now, written);
        return {
          result: 'draftSaved' as SaveOutcome,
          audit: {
            action: 'call.draft_update',
            subjectType: 'call',
            subjectId: callId,
            streetOfficeId: call.street_office_id,
            after: { changes, documents },
          },
        };
      }

      if (!changes.length && !files.length) return { result: 'unchanged' as SaveOutcome, audit: [] };
      const deadlineExtensionOnly =
        !files.length && changes.length === 1 && changes[0].field === 'closesAt' && after.closesAt > before.closesAt;
      const decision = amendmentAllowed(call, now, { deadlineExtensionOnly });
      if (!decision.allowed) throw new InvalidState(decision.reasonKey);

      const sameStreetYear = call.budget_year === input.budgetYear;
      const ownReserved = new Map(sameStreetYear ? currentSources.map((s) => [s.source, s.amount_fen] as const) : []);
      const problems = await checkAgainstDb(trx, call.street_office_id, input, ownReserved);
      if (Object.keys(problems).length) throw new CallProblems(problems);

      const moneyChanged = changes.some((c) => c.field === 'amounts' || c.field === 'budgetYear');
      if (moneyChanged) {
        // Release and reserve again in this one transaction: the call never holds both, nor neither.
        await releaseCallReservation(trx, { callId, userId: user.id, now });
        try {
          await reserveForCall(trx, {
            streetOfficeId: call.street_office_id,
            year: input.budgetYear,
            callId,
            amounts: input.amounts,
            userId: user.id,
            now,
          });
        } catch (err) {
          if (err instanceof InsufficientFunds) throw new CallProblems(fundsProblem(err));
          throw err;
        }
      }
      await trx('calls')
        .where({ id: callId, status: 'published' })
        .update({ ...callColumns(input), updated_at: now.toISOString() });
      await writeChildren(trx, callId, input);
      const documents = await storeDocuments(trx, deps, callId, files, user.id, now, written);
      const recorded: Change[] = documents.length
        ? [...changes, { field: 'documents', before: null, after: documents }]
        : changes;
      const kind = deadlineExtensionOnly ? 'deadline_extension' : 'amendment';
      await trx('call_amendments').insert({
        call_id: callId,
        user_id: user.id,
        kind,
        changes_json: JSON.stringify(recorded),
        occurred_at: now.toISOString(),
      });
      await notifyBidders(trx, callId, input.title, now);
      return {
        result: 'amended' as SaveOutcome,
        audit: {
          action: `call.${kind}`,
          subjectType: 'call',
          subjectId: callId,
          streetOfficeId: call.street_office_id,
          before: { changes: recorded.map((c) => ({ field: c.field, value: c.before })) },
          after: {
            changes: recorded.map((c) => ({ field: c.field, value: c.after })),
            reserved: moneyChanged ? input.amounts : undefined,
          },
        },
      };
    }),
  );
}

/** Publishes a draft: reserves its budget from the fund sources in the same transaction. If any
 *  source cannot cover its amount, InsufficientFunds (422) names it and nothing is written. */
export async function publishCall(deps: Deps, actor: Actor, user: SessionUser, callId: number): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageCall(user, call)) throw new Forbidden();
    if (call.status !== 'draft') throw new InvalidState('calls.errors.notDraft');
    if (call.closes_at <= now.toISOString()) throw new CallProblems({ closesAt: { key: 'calls.errors.closesInPast' } });
    const item = await itemState(trx, call.catalog_item_id);
    if (!item || item.status !== 'active')
      throw new CallProblems({ catalogItemId: { key: 'calls.errors.itemRetired' } });
    if (!methodsFromColumn(item.methods).includes(call.method as never))
      throw new CallProblems({ method: { key: 'calls.errors.methodNotAllowed' } });
    const sources = await callSources(trx, callId);
    const amounts = sources.map((s) => ({ source: s.source, amountFen: s.amount_fen }));
    await reserveForCall(trx, {
      streetOfficeId: call.street_office_id,
      year: call.budget_year,
      callId,
      amounts,
      userId: user.id,
      now,
    });
    await moveCall(trx, callId, 'publish', {
      set: { published_at: now.toISOString(), updated_at: now.toISOString() },
      errorKey: 'calls.errors.notDraft',
    });
    return {
      result: undefined,
      audit: {
        action: 'call.publish',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: 'draft' },
        after: { status: 'published', budget_fen: Number(call.budget_fen), year: call.budget_year, reserved: amounts },
      },
    };
  });
}

/** Cancels a draft or a published call; a published call's reservation is released in the same transaction. */
export async function cancelCall(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  reason: string,
): Promise<void> {
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const call = await lockCall(trx, callId);
    if (!canManageCall(user, call)) throw new Forbidden();
    if (call.status !== 'draft' && call.status !== 'published') throw new InvalidState('calls.errors.notCancellable');
    if (call.status === 'published') await releaseCallReservation(trx, { callId, userId: user.id, now });
    // Still in the state read above: the reservation released (or not) depends on it.
    await moveCall(trx, callId, 'cancel', {
      set: { cancelled_at: now.toISOString(), cancel_reason: reason, updated_at: now.toISOString() },
      where: (q) => q.where('status', call.status),
      errorKey: 'calls.errors.notCancellable',
    });
    if (call.status === 'published') await notifyBidders(trx, callId, call.title, now);
    return {
      result: undefined,
      audit: {
        action: 'call.cancel',
        subjectType: 'call',
        subjectId: callId,
        streetOfficeId: call.street_office_id,
        before: { status: call.status },
        after: { status: 'cancelled', reason, released: call.status === 'published' },
      },
    };
  });
}

/** Organizations with a bid (draft or submitted) hear of every change to the call they bid on,
 *  inside the transaction of the change. The manager never sees who was told. */
async function notifyBidders(trx: Tx, callId: number, title: string, now: Date): Promise<void> {
  const organizations = await bidderOrganizationIds(trx, callId);
  if (!organizations.length) return;
  const users = await staffOf(trx, organizations);
  await notify(
    trx,
    users,
    {
      kind: 'call.changed',
      messageKey: 'notifications.messages.callChanged',
      params: { call: title },
      link: `/calls/${callId}`,
      subjectType: 'call',
      subjectId: callId,
    },
    now,
  );
}
