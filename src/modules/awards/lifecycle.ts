import { lifecycleMove, type Lifecycle } from '../../db/transition';

/** An award is proposed (publicity runs), then withdrawn by an upheld objection or confirmed final.
 *  The states are also the database's CHECK (migration 20261202170000). */
export const AWARD_STATES = ['proposed', 'withdrawn', 'final'] as const;
export type AwardState = (typeof AWARD_STATES)[number];

export const AWARD_LIFECYCLE = {
  withdraw: { from: ['proposed'], to: 'withdrawn' },
  confirm: { from: ['proposed'], to: 'final' },
} as const satisfies Lifecycle<AwardState, string>;

export const moveAward = lifecycleMove<AwardState, keyof typeof AWARD_LIFECYCLE>(AWARD_LIFECYCLE, 'awards');

/** An objection is open until the manager upholds or rejects it; the answer is final. */
export const OBJECTION_STATES = ['open', 'upheld', 'rejected'] as const;
export type ObjectionState = (typeof OBJECTION_STATES)[number];

export const OBJECTION_LIFECYCLE = {
  uphold: { from: ['open'], to: 'upheld' },
  reject: { from: ['open'], to: 'rejected' },
} as const satisfies Lifecycle<ObjectionState, string>;

export const moveObjection = lifecycleMove<ObjectionState, keyof typeof OBJECTION_LIFECYCLE>(
  OBJECTION_LIFECYCLE,
  'objections',
);
