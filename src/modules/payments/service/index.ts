/**
 * The payment steps (拨付), one file per use-case group: proposing a milestone's settlement
 * (proposals.ts), a correction of a release (reversals.ts), the second officer's decision that moves
 * the money (decisions.ts), what is recorded after it (records.ts: the voucher, the decision after a
 * withheld milestone) and the organization's invoice (invoices.ts). Each is one audited transaction.
 */
export { faults } from './common';
export { allowanceOf, proposedSources, proposePayment, type ProposalInput } from './proposals';
export { proposeReversal, reversalSources } from './reversals';
export { approveProposal, rejectProposal } from './decisions';
export { recordVoucher, recordWithheldDecision } from './records';
export { uploadInvoice } from './invoices';
export { contractMilestone } from '../../contracts';
export { numeric } from '../queries';
