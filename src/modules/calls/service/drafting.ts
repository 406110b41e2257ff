import { auditedTransaction, type Actor } from '../../../audit/audit';
import { returnedId } from '../../../db/knex';
import { withFileCleanup } from '../../../files/storage';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { InsufficientFunds, releaseCallReservation, reserveForCall } from '../../funds';
import { amendmentAllowed } from '../amendment';
import type { CallInput } from '../input';
import { canManageCall } from '../policy';
import { callCriteria, callSources, type CallRow } from '../queries';
import {
  CallProblems,
  checkAgainstDb,
  fundsProblem,
  lockCall,
  callColumns,
  writeChildren,
  storeDocuments,
  notifyBidders,
  type Deps,
} from './common';

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
