/**
 * A bid's steps, one file per group, each one audited transaction: created, saved and submitted with
 * its files and the sealed digest (writing.ts), withdrawn (withdrawal.ts), a file removed or a read of
 * a file recorded (files.ts). common.ts holds the rules every step checks (the bidding window, who
 * may bid, the content and the files).
 */
export { BidProblems, assertCanBidOn, priceLimitFen, type UploadedByField } from './common';
export { createBid, updateBid, type SaveOutcome } from './writing';
export { withdrawBid } from './withdrawal';
export { recordFileRead, removeBidFile } from './files';
