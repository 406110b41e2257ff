import crypto from 'node:crypto';
import { auditedTransaction, type Actor } from '../../../audit/audit';
import { type Tx, returnedId } from '../../../db/knex';
import { isUniqueViolation } from '../../../db/errors';
import { storeFile, withFileCleanup } from '../../../files/storage';
import { Forbidden, InvalidState } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { bidFiles, budgetLines, findBid, newRef } from '../queries';
import { FILE_FIELDS, type BidFileKind, type BidInput } from '../schemas';
import {
  BidProblems,
  assertMayBid,
  assertWindow,
  checkContent,
  checkFiles,
  lockCall,
  ownBid,
  bidEvent,
  type Deps,
  type UploadedByField,
} from './common';

/** A fingerprint of everything the organization offers. The audit trail keeps this rather than the
 *  content, so the record proves what was submitted when, without unsealing it to anyone. */
async function digestOf(trx: Tx, bidId: number): Promise<string> {
  const bid = (await findBid(trx, bidId))!;
  const [lines, files] = await Promise.all([budgetLines(trx, bidId), bidFiles(trx, bidId)]);
  const content = [
    bid.price_fen,
    bid.matching_funds_fen,
    bid.service_plan,
    bid.staffing,
    bid.schedule,
    bid.expected_outcomes,
    lines.map((l) => [l.item, l.amount_fen]),
    files.map((f) => [f.kind, f.sha256]),
  ];
  return crypto.createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function columns(input: BidInput) {
  return {
    price_fen: input.priceFen,
    matching_funds_fen: input.matchingFundsFen,
    service_plan: input.texts.servicePlan,
    staffing: input.texts.staffing,
    schedule: input.texts.schedule,
    expected_outcomes: input.texts.expectedOutcomes,
  };
}

async function writeLines(trx: Tx, bidId: number, input: BidInput) {
  await trx('bid_budget_lines').where({ bid_id: bidId }).delete();
  if (input.lines.length) {
    await trx('bid_budget_lines').insert(
      input.lines.map((l, i) => ({ bid_id: bidId, position: i + 1, item: l.item, amount_fen: l.amountFen })),
    );
  }
}

async function storeBidFiles(
  trx: Tx,
  deps: Deps,
  bidId: number,
  files: UploadedByField,
  userId: number,
  now: Date,
  written: string[],
) {
  const added: { kind: BidFileKind; sha256: string; size: number }[] = [];
  for (const { name } of FILE_FIELDS) {
    for (const file of files[name] ?? []) {
      const stored = await storeFile(trx, deps.config.uploadDir, file, name, userId, now);
      written.push(stored.storage_key);
      if (name === 'proposal') await trx('bid_files').where({ bid_id: bidId, kind: 'proposal' }).delete(); // one proposal: a new one replaces it
      await trx('bid_files').insert({
        bid_id: bidId,
        ref: newRef(),
        file_id: stored.id,
        kind: name,
        created_at: now.toISOString(),
      });
      added.push({ kind: name as BidFileKind, sha256: stored.sha256, size: stored.size_bytes });
    }
  }
  return added;
}

/** Starts a bid on a call: saved as a draft, or submitted at once, and returns its public
 *  reference. One active bid per organization per call: the unique index decides a race, the loser
 *  gets 409. */
export async function createBid(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  callId: number,
  input: BidInput,
  files: UploadedByField,
): Promise<string> {
  if (user.role !== 'org_staff' || !user.organizationId) throw new Forbidden();
  const organizationId = user.organizationId;
  const now = deps.clock.now();
  try {
    return await withFileCleanup(deps.config.uploadDir, (written) =>
      auditedTransaction(deps.db, actor, now, async (trx) => {
        const call = await lockCall(trx, callId);
        assertWindow(call, deps.clock.now());
        await assertMayBid(trx, user, call);
        if (
          await trx('bids')
            .where({ call_id: callId, organization_id: organizationId })
            .whereNot('status', 'withdrawn')
            .first('id')
        ) {
          throw new InvalidState('bids.errors.alreadyActive');
        }
        const problems = { ...checkFiles(files), ...checkContent(call, input, !!files.proposal?.length) };
        if (Object.keys(problems).length) throw new BidProblems(problems);
        const at = now.toISOString();
        const status = input.intent === 'submit' ? 'submitted' : 'draft';
        const ref = newRef();
        const [inserted] = await trx('bids')
          .insert({
            call_id: callId,
            ref,
            organization_id: organizationId,
            status,
            ...columns(input),
            submitted_at: status === 'submitted' ? at : null,
            created_by: user.id,
            updated_by: user.id,
            created_at: at,
            updated_at: at,
          })
          .returning('id');
        const id = returnedId(inserted);
        await writeLines(trx, id, input);
        const added = await storeBidFiles(trx, deps, id, files, user.id, now, written);
        const bid = { ref, call_id: callId, organization_id: organizationId };
        const events = [
          bidEvent(status === 'submitted' ? 'bid.submit' : 'bid.save_draft', bid, null, {
            status,
            digest: await digestOf(trx, id),
          }),
        ];
        if (added.length) events.push(bidEvent('bid.file_add', bid, null, { files: added }));
        return { result: ref, audit: events };
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new InvalidState('bids.errors.alreadyActive');
    throw err;
  }
}

export type SaveOutcome = 'draftSaved' | 'submitted' | 'resubmitted';

/** Saves the form of an existing bid. A draft stays a draft or is submitted; a submitted bid can
 *  only be replaced by a complete one (it stays submitted, with the time of the latest submission). */
export async function updateBid(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  bidId: number,
  input: BidInput,
  files: UploadedByField,
): Promise<SaveOutcome> {
  await ownBid(deps, user, bidId);
  const now = deps.clock.now();
  return withFileCleanup(deps.config.uploadDir, (written) =>
    auditedTransaction(deps.db, actor, now, async (trx) => {
      const current = (await findBid(trx, bidId))!;
      const call = await lockCall(trx, current.call_id);
      const bid = (await findBid(trx, bidId, true))!;
      assertWindow(call, deps.clock.now());
      if (bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
      await assertMayBid(trx, user, call);
      const effective: BidInput = bid.status === 'submitted' ? { ...input, intent: 'submit' } : input;
      const hadProposal = !!(await trx('bid_files').where({ bid_id: bidId, kind: 'proposal' }).first('id'));
      const problems = {
        ...checkFiles(files),
        ...checkContent(call, effective, hadProposal || !!files.proposal?.length),
      };
      if (Object.keys(problems).length) throw new BidProblems(problems);
      const before = { status: bid.status, digest: await digestOf(trx, bidId) };
      const at = now.toISOString();
      const status = effective.intent === 'submit' ? 'submitted' : 'draft';
      const n = await trx('bids')
        .where({ id: bidId, status: bid.status })
        .update({
          ...columns(effective),
          status,
          submitted_at: status === 'submitted' ? at : null,
          updated_by: user.id,
          updated_at: at,
        });
      if (n !== 1) throw new InvalidState('bids.errors.changedMeanwhile');
      await writeLines(trx, bidId, effective);
      const added = await storeBidFiles(trx, deps, bidId, files, user.id, now, written);
      const outcome: SaveOutcome =
        bid.status === 'submitted' ? 'resubmitted' : status === 'submitted' ? 'submitted' : 'draftSaved';
      const action = { draftSaved: 'bid.save_draft', submitted: 'bid.submit', resubmitted: 'bid.edit_submitted' }[
        outcome
      ];
      const events = [bidEvent(action, bid, before, { status, digest: await digestOf(trx, bidId) })];
      if (added.length) events.push(bidEvent('bid.file_add', bid, null, { files: added }));
      return { result: outcome, audit: events };
    }),
  );
}
