import type { Queryable } from '../../../db/knex';
import { redactPersonalData } from '../../../shared/redact';
import { awardItems, standingAward } from '../../awards';
import { isSealed, submittedBidCount } from '../../bids';
import { allPublicContracts, publicContract, type PublicContract } from '../../contracts';
import type { FundSource } from '../../funds';
import { contractEvaluations, contractPayments, type PublicEvaluation, type PublicPayment } from '../ports';

/**
 * Everything the open data of one call may show, read once. Calls have no index.ts yet, so the
 * public columns of a published call (never a draft), its fund sources and its criteria are read
 * here; bids only through the bids module, and only their count once the deadline has passed;
 * awards through the awards module; contracts through the contracts module's public view.
 */

export interface CallData {
  id: number;
  title: string;
  description: string;
  method: string;
  fundingMode: string;
  budgetFen: number;
  budgetYear: number;
  opensAt: string;
  closesAt: string;
  /** published, under_review, publicity, awarded or cancelled: never a draft. */
  status: string;
  publishedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  updatedAt: string;
  streetOffice: { id: number; name: string };
  catalogItemName: string;
  sources: { source: FundSource; amountFen: number }[];
  criteria: { name: string; weight: number }[];
  /** Submitted bids, only once the deadline has passed (null before: sealed). */
  numberOfTenderers: number | null;
  award: null | {
    id: number;
    status: 'proposed' | 'final';
    proposedAt: string;
    publicityEndsAt: string;
    finalAt: string | null;
    items: {
      id: number;
      rank: number;
      amountFen: number;
      organization: { id: number; name: string; creditCode: string | null };
    }[];
  };
  contracts: (PublicContract & { evaluations: PublicEvaluation[]; payments: PublicPayment[] })[];
}

/** A published or cancelled call's public columns; undefined for an unknown id or a draft. */
async function publishedCall(db: Queryable, callId: number) {
  if (!Number.isSafeInteger(callId) || callId <= 0 || callId >= 2 ** 31) return undefined;
  return db('calls as k')
    .join('street_offices as s', 's.id', 'k.street_office_id')
    .join('catalog_items as ci', 'ci.id', 'k.catalog_item_id')
    .where('k.id', callId)
    .whereNot('k.status', 'draft')
    .whereNotNull('k.published_at')
    .first('k.*', 's.name as street_name', 'ci.name as catalog_item_name');
}

/** The ids of the published calls of a street office's fund year (the bulk package), oldest first. */
export async function publishedCallIds(db: Queryable, streetOfficeId: number, year: number): Promise<number[]> {
  const rows = await db('calls')
    .where({ street_office_id: streetOfficeId, budget_year: year })
    .whereNot('status', 'draft')
    .whereNotNull('published_at')
    .orderBy('id')
    .select('id');
  return rows.map((r: { id: number }) => Number(r.id));
}

/** Every published call id (npm run ocds:validate). */
export async function allPublishedCallIds(db: Queryable): Promise<number[]> {
  const rows = await db('calls').whereNot('status', 'draft').whereNotNull('published_at').orderBy('id').select('id');
  return rows.map((r: { id: number }) => Number(r.id));
}

export async function callData(db: Queryable, callId: number, now: Date): Promise<CallData | undefined> {
  const k = await publishedCall(db, callId);
  if (!k) return undefined;
  const sealed = isSealed(k, now);
  const [sources, criteria, count, award] = await Promise.all([
    db('call_fund_sources').where({ call_id: callId }).orderBy('id').select('source', 'amount_fen'),
    db('call_criteria').where({ call_id: callId }).orderBy('position').select('name', 'weight'),
    sealed ? Promise.resolve(null) : submittedBidCount(db, callId),
    sealed ? Promise.resolve(undefined) : standingAward(db, callId),
  ]);
  const items = award ? await awardItems(db, [award.id]) : [];
  const orgIds = [...new Set(items.map((i) => Number(i.organization_id)))];
  const orgs = orgIds.length ? await db('organizations').whereIn('id', orgIds).select('id', 'name', 'credit_code') : [];
  const itemIds = award ? await db('award_items').where({ award_id: award.id }).select('id', 'bid_id') : [];
  const contractRows = award ? await allPublicContracts(db, { callIds: [callId] }) : [];
  const contracts = [];
  for (const row of contractRows.sort((a, b) => a.id - b.id)) {
    const c = await publicContract(db, row.id);
    if (!c) continue;
    const [evaluations, payments] = await Promise.all([contractEvaluations(db, c), contractPayments(db, c)]);
    contracts.push({ ...c, evaluations, payments });
  }
  return {
    id: Number(k.id),
    title: k.title,
    description: redactPersonalData(k.description ?? ''),
    method: k.method,
    fundingMode: k.funding_mode,
    budgetFen: Number(k.budget_fen),
    budgetYear: Number(k.budget_year),
    opensAt: k.opens_at,
    closesAt: k.closes_at,
    status: k.status,
    publishedAt: k.published_at,
    cancelledAt: k.cancelled_at ?? null,
    cancelReason: k.cancel_reason ? redactPersonalData(k.cancel_reason) : null,
    updatedAt: k.updated_at,
    streetOffice: { id: Number(k.street_office_id), name: k.street_name },
    catalogItemName: k.catalog_item_name,
    sources: sources.map((s: { source: FundSource; amount_fen: number }) => ({
      source: s.source,
      amountFen: Number(s.amount_fen),
    })),
    criteria: criteria.map((c: { name: string; weight: number }) => ({ name: c.name, weight: Number(c.weight) })),
    numberOfTenderers: count,
    award:
      award && award.status !== 'withdrawn'
        ? {
            id: Number(award.id),
            status: award.status as 'proposed' | 'final',
            proposedAt: award.proposed_at,
            publicityEndsAt: award.publicity_ends_at,
            finalAt: award.final_at ?? null,
            items: items.map((i) => {
              const org = orgs.find((o: { id: number }) => Number(o.id) === Number(i.organization_id));
              const itemId = Number(itemIds.find((x: { bid_id: number }) => Number(x.bid_id) === Number(i.bid_id))?.id);
              return {
                id: itemId,
                rank: Number(i.rank),
                amountFen: i.amount_fen,
                organization: {
                  id: Number(i.organization_id),
                  name: i.organization_name,
                  creditCode: org?.credit_code ?? null,
                },
              };
            }),
          }
        : null,
    contracts,
  };
}
