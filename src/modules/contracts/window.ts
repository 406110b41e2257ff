/** Government Procurement Law art. 46: the contract is signed within 30 days of the award notice. */
export const SIGNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export const signingDeadline = (finalAt: string) =>
  new Date(new Date(finalAt).getTime() + SIGNING_DAYS * DAY_MS).toISOString();

export interface SigningWindow {
  /** Whole days left (rounded up); 0 or less once the deadline passed. */
  daysLeft: number;
  overdue: boolean;
  /** Whole days past the deadline (rounded up), once overdue. */
  overdueDays: number;
  open: boolean;
}

/** The window of a contract not yet signed; `open` is false once it is signed or ended. */
export function signingWindow(c: { status: string; signing_deadline: string }, now: Date): SigningWindow {
  const open = ['draft', 'sent', 'accepted'].includes(c.status);
  const ms = new Date(c.signing_deadline).getTime() - now.getTime();
  const daysLeft = Math.ceil(ms / DAY_MS);
  return { daysLeft, overdue: open && ms < 0, overdueDays: ms < 0 ? Math.ceil(-ms / DAY_MS) : 0, open };
}
