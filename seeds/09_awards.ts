import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { userActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { proposeAward } from '../src/modules/awards/service';
import { rankBids } from '../src/modules/reviews';

// Demo award, proposed through the awards service (so the audit trail and the bidders' notifications
// are what the app itself writes): on every call whose scoring 08_reviews.ts closed, the manager
// proposes the top-ranked bid (a tender) or the top proposals that fit the pool and cap (a venture
// call). Its publicity period starts now, so the award page and the objection form (for the other
// bidders' staff, e.g. org.tongxin) are explorable on first start.

async function managerOf(trx: Knex.Transaction, streetOfficeId: number): Promise<SessionUser | null> {
  const u = await trx('users')
    .where({ street_office_id: streetOfficeId, role: 'manager' })
    .whereNull('disabled_at')
    .orderBy('id')
    .first('id', 'username', 'display_name');
  if (!u) return null;
  return {
    id: Number(u.id),
    username: u.username,
    displayName: u.display_name,
    role: 'manager',
    streetOfficeId,
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: [streetOfficeId],
  };
}

const inputMoney = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const deps = { db: trx as unknown as Knex, clock: { now: () => now }, config };
  const calls = await trx('calls')
    .where({ status: 'under_review' })
    .whereNotNull('scoring_closed_at')
    .orderBy('id')
    .select('id', 'street_office_id', 'method', 'budget_fen', 'per_project_cap_fen');
  for (const call of calls) {
    const manager = await managerOf(trx, Number(call.street_office_id));
    const ranking = await rankBids(trx, Number(call.id));
    if (!manager || !ranking.length) continue;
    const body: Record<string, string> = {};
    if (call.method === 'venture') {
      let left = Number(call.budget_fen);
      const cap = call.per_project_cap_fen === null ? Infinity : Number(call.per_project_cap_fen);
      for (const bid of ranking) {
        const amount = Math.min(bid.priceFen, cap);
        if (amount > left) break;
        body[`select_${bid.bidRef}`] = '1';
        body[`amount_${bid.bidRef}`] = inputMoney(amount);
        left -= amount;
      }
    } else {
      body.winner = ranking[0].bidRef;
    }
    await proposeAward(deps, userActor(manager), manager, Number(call.id), body);
  }
}
