import type { AppDeps } from '../../../deps';
import { type Queryable, type Tx } from '../../../db/knex';
import { extensionOf } from '../../../files/signatures';
import { formatMoney } from '../../../shared/money';
import { formatDateTime } from '../../../shared/time';
import { Forbidden, InvalidState, NotFound, ValidationFailed } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { findCallRow, type CallRow } from '../../calls';
import { canBid } from '../../organizations';
import { biddingWindow, isOwnBid } from '../policy';
import { findBid, type BidRow } from '../queries';
import { TEXT_FIELDS, type BidInput, type Problems } from '../schemas';

export type Deps = Pick<AppDeps, 'db' | 'clock' | 'config'>;

export type UploadedByField = Record<string, Express.Multer.File[]>;

/** A bid refused for its content: the form is shown again with 422 and these messages. */
export class BidProblems extends ValidationFailed {}

/** The most a bid may ask: the per-project cap of a venture call, else the call's budget.
 *  Matching funds (配套资金) are the organization's own money and do not count against it. */
export function priceLimitFen(call: Pick<CallRow, 'method' | 'budget_fen' | 'per_project_cap_fen'>): number {
  if (call.method === 'venture' && call.per_project_cap_fen !== null) return Number(call.per_project_cap_fen);
  return Number(call.budget_fen);
}

export const shanghai = (iso: string) => `${formatDateTime(iso, 'zh-CN')} (UTC+8)`;

/** 409 unless bids can change now; the message names the time that decided it. */
export function assertWindow(call: CallRow, now: Date): void {
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
export async function assertMayBid(trx: Queryable, user: SessionUser, call: CallRow): Promise<void> {
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
export async function lockCall(trx: Tx, callId: number): Promise<CallRow> {
  const call = await findCallRow(trx, callId, true);
  if (!call || call.status === 'draft') throw new NotFound();
  return call;
}

/** The user's own bid; anyone else's is "not found", exactly like a bid that does not exist. */
export async function ownBid(deps: Deps, user: SessionUser, bidId: number): Promise<BidRow> {
  const bid = await findBid(deps.db, bidId);
  if (!bid || !isOwnBid(user, bid)) throw new NotFound();
  return bid;
}

export function checkContent(call: CallRow, input: BidInput, haveProposal: boolean): Problems {
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

export function checkFiles(files: UploadedByField): Problems {
  const proposal = files.proposal?.[0];
  if (proposal && extensionOf(proposal.originalname) !== 'pdf') return { proposal: { key: 'bids.errors.proposalPdf' } };
  return {};
}

/**
 * Audit events of a bid before the deadline are sealed: they go to the call's sealed log
 * (src/audit/sealed.ts), in this same transaction, not to the main chain, so no audit count or id
 * that anyone else can see moves (the main chain commits to the log when the bids are opened, and
 * the log becomes readable then). Their subject is the bid's public reference, never its id, and
 * before/after hold the status and a digest of the content, never the content itself.
 */
export function bidEvent(
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
