/**
 * The payment steps (拨付), one file per use-case group: proposing a milestone's settlement
 * (proposals.ts), a correction of a release (reversals.ts), the second officer's decision that moves
 * the money (decisions.ts), what is recorded after it (records.ts: the voucher, the decision after a
 * withheld milestone; returns.ts: a correction's approval, and the return of its money that moves it) and the organization's invoice (invoices.ts). Each is one audited transaction.
 */
export { faults } from './common';
export { allowanceOf, proposedSources, proposePayment, type ProposalInput } from './proposals';
export { proposeReversal, reversalSources } from './reversals';
export { approveProposal, rejectProposal } from './decisions';
export { recordVoucher, recordWithheldDecision } from './records';
export { recordReturn } from './returns';
export { uploadInvoice } from './invoices';
export { contractMilestone } from '../../contracts';
export { numeric } from '../queries';
