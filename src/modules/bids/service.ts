import crypto from 'node:crypto';
import type { AppDeps } from '../../deps';
import { auditedTransaction, type Actor } from '../../audit/audit';
import { type Queryable, type Tx, returnedId } from '../../db/knex';
import { transition } from '../../db/transition';
import { isUniqueViolation } from '../../db/errors';
import { storeFile, withFileCleanup } from '../../files/storage';
import { extensionOf } from '../../files/signatures';
import { formatMoney } from '../../shared/money';
import { formatDateTime } from '../../shared/time';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { findCallRow, type CallRow } from '../calls';
import { canBid } from '../organizations';
import { biddingWindow, isOwnBid } from './policy';
import { bidFiles, budgetLines, findBid, isRef, newRef, type BidRow } from './queries';
import { FILE_FIELDS, TEXT_FIELDS, type BidFileKind, type BidInput, type Problems } from './schemas';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;
export type UploadedByField = Record<string, Express.Multer.File[]>;

/** A bid refused for its content: the form is shown again with 422 and these messages. */
export class BidProblems extends ValidationFailed {}

/** The most a bid may ask: the per-project cap of a venture call, else the call's budget.
 *  Matching funds (配套资金) are the organization's own money and do not count against it. */
export function priceLimitFen(call: Pick<CallRow, 'method' | 'budget_fen' | 'per_project_cap_fen'>): number {
  if (call.method === 'venture' && call.per_project_cap_fen !== null) return Number(call.per_project_cap_fen);
  return Number(call.budget_fen);
}

const shanghai = (iso: string) => `${formatDateTime(iso, 'zh-CN')} (UTC+8)`;

/** 409 unless bids can change now; the message names the time that decided it. */
function assertWindow(call: CallRow, now: Date): void {
  switch (biddingWindow(call, now)) {
    case 'open':
      return;
    case 'closed':
      throw new InvalidState('bids.errors.closed', { at: shanghai(call.closes_at) });
    case 'notYetOpen':
      throw new InvalidState('bids.errors.notYetOpen', { at: shanghai(call.opens_at) });
    default:
      throw new InvalidState('bids.errors.notOpen');
  }
}

/** Only an approved organization that the call's street office has not excluded may bid. */
async function assertMayBid(trx: Queryable, user: SessionUser, call: CallRow): Promise<void> {
  const org = await trx('organizations').where({ id: user.organizationId }).first('status');
  if (!org || !canBid(org)) throw new Forbidden('bids.errors.notApproved');
  const excluded = await trx('street_office_exclusions')
    .where({ street_office_id: call.street_office_id, organization_id: user.organizationId })
    .first('id');
  if (excluded) throw new Forbidden('bids.errors.excluded');
}

/** For the bid form pages: refuses (409/403) exactly as saving would, before anything is typed. */
export async function assertCanBidOn(db: Queryable, user: SessionUser, call: CallRow, now: Date): Promise<void> {
  assertWindow(call, now);
  await assertMayBid(db, user, call);
}

/** The call, visible to bidders (not a draft), locked for the rest of the transaction so a bid and
 *  an amendment or the opening of bids are never interleaved. */
async function lockCall(trx: Tx, callId: number): Promise<CallRow> {
  const call = await findCallRow(trx, callId, true);
  if (!call || call.status === 'draft') throw new NotFound();
  return call;
}

/** The user's own bid; anyone else's is "not found", exactly like a bid that does not exist. */
async function ownBid(deps: Deps, user: SessionUser, bidId: number): Promise<BidRow> {
  const bid = await findBid(deps.db, bidId);
  if (!bid || !isOwnBid(user, bid)) throw new NotFound();
  return bid;
}

function checkContent(call: CallRow, input: BidInput, haveProposal: boolean): Problems {
  const problems: Problems = {};
  const limit = priceLimitFen(call);
  if (input.priceFen !== null && input.priceFen > limit) {
    problems.price = {
      key: call.method === 'venture' ? 'bids.errors.priceOverCap' : 'bids.errors.priceOverBudget',
      params: { limit: formatMoney(limit) },
    };
  }
  if (input.intent === 'draft') return problems;
  for (const f of TEXT_FIELDS) if (!input.texts[f]) problems[f] = { key: 'validation.required' };
  if (input.priceFen === null) problems.price = { key: 'validation.money.required' };
  if (!input.lines.length) problems.line1Item = { key: 'bids.errors.linesRequired' };
  else if (input.priceFen !== null) {
    const total = input.lines.reduce((s, l) => s + l.amountFen, 0);
    const expected = input.priceFen + input.matchingFundsFen;
    if (total !== expected)
      problems.line1Amount = {
        key: 'bids.errors.linesTotal',
        params: { total: formatMoney(total), expected: formatMoney(expected) },
      };
  }
  if (!haveProposal) problems.proposal = { key: 'bids.errors.proposalRequired' };
  return problems;
}

function checkFiles(files: UploadedByField): Problems {
  const proposal = files.proposal?.[0];
  if (proposal && extensionOf(proposal.originalname) !== 'pdf') return { proposal: { key: 'bids.errors.proposalPdf' } };
  return {};
}

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

/**
 * Audit events of a bid before the deadline are sealed: they go to the call's sealed log
 * (src/audit/sealed.ts), in this same transaction, not to the main chain, so no audit count or id
 * that anyone else can see moves (the main chain commits to the log when the bids are opened, and
 * the log becomes readable then). Their subject is the bid's public reference, never its id, and
 * before/after hold the status and a digest of the content, never the content itself.
 */
function bidEvent(
  action: string,
  bid: Pick<BidRow, 'ref' | 'call_id' | 'organization_id'>,
  before: unknown,
  after: unknown,
) {
  return {
    action,
    subjectType: 'bid',
    subjectId: bid.ref,
    organizationId: bid.organization_id,
    streetOfficeId: null,
    sealedCallId: bid.call_id,
    before,
    after: { call_id: bid.call_id, ...(after as object) },
  };
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

/** Withdraws a draft or a submitted bid before the deadline; the organization may then start anew. */
export async function withdrawBid(deps: Deps, actor: Actor, user: SessionUser, bidId: number): Promise<void> {
  await ownBid(deps, user, bidId);
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const current = (await findBid(trx, bidId))!;
    const call = await lockCall(trx, current.call_id);
    assertWindow(call, deps.clock.now());
    const bid = (await findBid(trx, bidId, true))!;
    if (bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
    const at = now.toISOString();
    await transition(trx, {
      table: 'bids',
      id: bidId,
      from: bid.status,
      to: 'withdrawn',
      set: { withdrawn_at: at, updated_by: user.id, updated_at: at },
      errorKey: 'bids.errors.changedMeanwhile',
    });
    return { result: undefined, audit: bidEvent('bid.withdraw', bid, { status: bid.status }, { status: 'withdrawn' }) };
  });
}

/** Removes an attachment of an active bid before the deadline. A submitted bid must keep a proposal. */
export async function removeBidFile(
  deps: Deps,
  actor: Actor,
  user: SessionUser,
  bidId: number,
  fileRef: string,
): Promise<void> {
  await ownBid(deps, user, bidId);
  const now = deps.clock.now();
  await auditedTransaction(deps.db, actor, now, async (trx) => {
    const current = (await findBid(trx, bidId))!;
    const call = await lockCall(trx, current.call_id);
    assertWindow(call, deps.clock.now());
    const bid = (await findBid(trx, bidId, true))!;
    if (bid.status === 'withdrawn') throw new InvalidState('bids.errors.withdrawn');
    const file = isRef(fileRef)
      ? await trx('bid_files as bf')
          .join('stored_files as f', 'f.id', 'bf.file_id')
          .where({ 'bf.bid_id': bidId, 'bf.ref': fileRef })
          .first('bf.id', 'bf.kind', 'f.sha256')
      : undefined;
    if (!file) throw new NotFound();
    if (bid.status === 'submitted' && file.kind === 'proposal') throw new InvalidState('bids.errors.proposalKept');
    await trx('bid_files').where({ id: file.id, bid_id: bidId }).delete();
    // The stored file stays (the audit record names its hash); it is no longer reachable from the bid.
    return { result: undefined, audit: bidEvent('bid.file_remove', bid, { kind: file.kind, sha256: file.sha256 }, {}) };
  });
}

/**
 * A bid's attachment read by someone other than its own organization (a reviewer who declared no
 * conflict, the street's manager or auditor, the administrator), after the deadline: audited on the
 * main chain, so the organization and auditors can see who opened which file. The caller has checked
 * canReadBid already; this only records the read.
 */
export async function recordFileRead(
  deps: Deps,
  actor: Actor,
  bid: Pick<BidRow, 'ref' | 'call_id' | 'organization_id'>,
  call: Pick<CallRow, 'street_office_id'>,
  file: { ref: string; kind: string; sha256: string },
): Promise<void> {
  await auditedTransaction(deps.db, actor, deps.clock.now(), async () => ({
    result: undefined,
    audit: {
      action: 'bid.file_download',
      subjectType: 'bid',
      subjectId: bid.ref,
      organizationId: bid.organization_id,
      streetOfficeId: call.street_office_id,
      after: { call_id: bid.call_id, file: file.ref, kind: file.kind, sha256: file.sha256 },
    },
  }));
}
