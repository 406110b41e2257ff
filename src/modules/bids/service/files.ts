import { auditedTransaction, type Actor } from '../../../audit/audit';
import { InvalidState, NotFound } from '../../../web/errors';
import type { SessionUser } from '../../accounts/roles';
import { type CallRow } from '../../calls';
import { findBid, isRef, type BidRow } from '../queries';
import { assertWindow, lockCall, ownBid, bidEvent, type Deps } from './common';

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
