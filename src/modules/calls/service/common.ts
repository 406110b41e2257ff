import type { AppDeps } from '../../../deps';
import { type Tx } from '../../../db/knex';
import { storeFile } from '../../../files/storage';
import { formatMoney } from '../../../shared/money';
import { NotFound, ValidationFailed } from '../../../web/errors';
import { itemState, itemUsableBy, methodsFromColumn } from '../../catalog';
import { InsufficientFunds, streetYearBalances, type FundSource } from '../../funds';
import { bidderOrganizationIds } from '../../bids/index';
import { notify, staffOf } from '../../notifications';
import type { CallInput, Problems } from '../input';
import { findCallRow, type CallRow } from '../queries';
import { amountField } from '../schemas';

export type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

/** A call refused for its content: field -> i18n key and values; the form is shown again with 422. */
export class CallProblems extends ValidationFailed {}

export const fundsProblem = (err: InsufficientFunds): Problems => ({
  [amountField(err.source)]: {
    key: 'calls.errors.fundsShort',
    params: { source: `funds.sources.${err.source}`, shortfall: formatMoney(err.shortfallFen) },
  },
});

/** Checks that need the database: the catalogue item, and whether the sources can cover the budget
 *  now (publishing reserves for real; this check gives the manager the message on the form). */
export async function checkAgainstDb(
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

export function callColumns(input: CallInput) {
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

export async function writeChildren(trx: Tx, callId: number, input: CallInput) {
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
export async function storeDocuments(
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

export async function lockCall(trx: Tx, id: number): Promise<CallRow> {
  const call = await findCallRow(trx, id, true);
  if (!call) throw new NotFound();
  return call;
}

/** Organizations with a bid (draft or submitted) hear of every change to the call they bid on,
 *  inside the transaction of the change. The manager never sees who was told. */
export async function notifyBidders(trx: Tx, callId: number, title: string, now: Date): Promise<void> {
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
