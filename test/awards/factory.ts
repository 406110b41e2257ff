import type { TestContext } from '../helpers/app';
import { signIn, type Agent } from '../helpers/http';
import { minimalPdf } from '../helpers/pdf-fixture';

// The call ready for its award and the proposed award are links of the shared chain of test records
// (test/helpers/chain.ts); `readyCall` is its `reviewedCall`.
export {
  reviewedCall as readyCall,
  managerUser,
  proposedAward,
  type BidSpec,
  type CallSpec,
  type ReadyCall,
} from '../helpers/chain';

export async function agentFor(ctx: TestContext, user: { username: string }): Promise<Agent> {
  return signIn(ctx, user.username);
}

/** Ids of the users a notification kind went to, for one subject. */
export async function notified(ctx: TestContext, kind: string): Promise<number[]> {
  const rows = await ctx.db('notifications').where({ kind }).orderBy('user_id').select('user_id');
  return rows.map((r: { user_id: number }) => Number(r.user_id));
}

/** A tiny valid PDF for upload tests. */
export const PDF = minimalPdf('1.4', 'test');
