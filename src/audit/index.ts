/**
 * The audit trail's entry point for other modules. Writing: `recordAudit` / `auditedTransaction`
 * (in the change's transaction). Reading what the public may see: `publicAuditHead` (the live event
 * count and head hash, and the newest daily checkpoint; nothing of sealed bids moves them) and the
 * public checkpoint pages at PUBLIC_CHECKPOINTS_PATH.
 */
export { auditedTransaction, recordAudit, systemActor, type Actor, type AuditInput } from './audit';
export { publicAuditHead, beijingDay, type PublicCheckpoint } from './checkpoints';
export { verifyAll, verifyThrough, type Checkpoint } from './verify';

/** The public list of daily checkpoints (HTML, no sign-in). */
export const PUBLIC_CHECKPOINTS_PATH = '/public/audit-checkpoints';
/** The same list as a JSON download. */
export const PUBLIC_CHECKPOINTS_JSON_PATH = '/public/audit-checkpoints.json';
/** The public check of a noted checkpoint: GET with ?event=<id>&hash=<64 hex>. */
export const PUBLIC_CHECKPOINT_VERIFY_PATH = '/public/audit-checkpoints/verify';
