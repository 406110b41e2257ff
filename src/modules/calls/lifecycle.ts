import { lifecycleMove, type Lifecycle } from '../../db/transition';

/**
 * The states of a call and the moves between them. The calls table is written by three modules: the
 * calls module publishes and cancels, the review opens the bids, the award moves it through
 * publicity; each asks for its move here instead of updating the table, so the states live in one
 * place (and in the database's CHECK, migration 20261202170000). `closed` is not stored: it is a
 * published call past its deadline (`effectiveStatus` in policy.ts).
 */
export const CALL_STATES = ['draft', 'published', 'cancelled', 'under_review', 'publicity', 'awarded'] as const;
export type CallState = (typeof CALL_STATES)[number];

export const CALL_LIFECYCLE = {
  publish: { from: ['draft'], to: 'published' },
  cancel: { from: ['draft', 'published'], to: 'cancelled' },
  openBids: { from: ['published'], to: 'under_review' },
  proposeAward: { from: ['under_review'], to: 'publicity' },
  withdrawAward: { from: ['publicity'], to: 'under_review' },
  confirmAward: { from: ['publicity'], to: 'awarded' },
} as const satisfies Lifecycle<CallState, string>;

export type CallMove = keyof typeof CALL_LIFECYCLE;

/** Makes one move of a call, conditional on its state (see transition in db/transition.ts). */
export const moveCall = lifecycleMove<CallState, CallMove>(CALL_LIFECYCLE, 'calls');
