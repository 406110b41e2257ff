import type { TestContext } from '../helpers/app';
import { signIn, type Agent } from '../helpers/http';
import { systemActor } from '../../src/audit/audit';
import { recordAllocation } from '../../src/modules/funds/allocations';
import { reserveForCall, type FundSource } from '../../src/modules/funds';
import type { SessionUser } from '../../src/modules/accounts/roles';
import { minimalPdf } from '../helpers/pdf-fixture';

/**
 * A call ready for its award, built from rows (bids and reviews are other modules): a street office
 * with funds, a manager, a call in review with its budget reserved, submitted bids of approved
 * organizations (each with one staff user), a panel and their scores, scoring closed.
 */
export interface BidSpec {
  priceFen: number;
  /** One list of scores per reviewer, one score per criterion. */
  scores: number[][];
  submittedAt?: string;
}

export interface CallSpec {
  venture?: boolean;
  sources?: Partial<Record<FundSource, number>>;
  capFen?: number;
  publicityDays?: number;
  scoringClosed?: boolean;
  status?: string;
  bids: BidSpec[];
  /** Allocated to the street-year on top of what the call needs. */
  spareFen?: number;
}

export interface ReadyCall {
  callId: number;
  streetOfficeId: number;
  manager: { id: number; username: string };
  bids: { bidId: number; bidRef: string; organizationId: number; staff: { id: number; username: string } }[];
  reviewers: { id: number; username: string }[];
  budgetFen: number;
}

const admin: SessionUser = {
  id: 0,
  username: 'admin',
  displayName: 'admin',
  role: 'admin',
  streetOfficeId: null,
  streetOfficeName: null,
  organizationId: null,
  organizationName: null,
  streetOfficeIds: [],
};

let n = 0;
const idOf = (row: unknown) => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);

async function insert(ctx: TestContext, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await ctx.db(table).insert(row).returning('id');
  return idOf(inserted);
}

export async function readyCall(ctx: TestContext, spec: CallSpec): Promise<ReadyCall> {
  n += 1;
  const at = ctx.clock.now();
  const iso = at.toISOString();
  const sources = spec.sources ?? { fiscal: 1_000_000 };
  const budgetFen = Object.values(sources).reduce((s, v) => s + (v ?? 0), 0);
  const street = await ctx.make.streetOffice();
  const manager = await ctx.make.user('manager', { street_office_id: street.id });
  for (const [source, amount] of Object.entries(sources)) {
    await recordAllocation(ctx, systemActor, admin, {
      streetOfficeId: street.id,
      year: 2026,
      source: source as FundSource,
      amountFen: amount! + (spec.spareFen ?? 0),
      note: 'test',
    });
  }
  const category = await ctx.db('service_categories').orderBy('sort_order').first('id');
  const itemId = await insert(ctx, 'catalog_items', {
    category_id: category.id,
    street_office_id: null,
    year: 2026,
    code: `AW-${process.pid}-${n}`,
    name: `评标测试服务${n}`,
    description: '测试',
    service_standard: '测试',
    unit: '人次',
    guidance_price_fen: 10000,
    methods: 'contract_outsourcing,project_entrustment,venture',
    status: 'active',
    created_by: null,
    created_at: iso,
    updated_at: iso,
  });
  const closesAt = new Date(at.getTime() - 3 * 86400000).toISOString();
  const callId = await insert(ctx, 'calls', {
    street_office_id: street.id,
    catalog_item_id: itemId,
    title: `测试项目${n}`,
    description: '测试项目说明',
    funding_mode: 'project_purchase',
    method: spec.venture ? 'venture' : 'contract_outsourcing',
    budget_fen: budgetFen,
    budget_year: 2026,
    per_project_cap_fen: spec.venture ? (spec.capFen ?? budgetFen) : null,
    opens_at: new Date(at.getTime() - 20 * 86400000).toISOString(),
    closes_at: closesAt,
    weight_self: 20,
    weight_manager: 20,
    weight_peer: 20,
    weight_citizen: 20,
    weight_third_party: 20,
    publicity_days: spec.publicityDays ?? 7,
    status: spec.status ?? 'under_review',
    published_at: new Date(at.getTime() - 20 * 86400000).toISOString(),
    created_by: manager.id,
    created_at: iso,
    updated_at: iso,
    bids_opened_at: iso,
    bids_opened_by: manager.id,
    scoring_closed_at: spec.scoringClosed === false ? null : iso,
    scoring_closed_by: spec.scoringClosed === false ? null : manager.id,
  });
  await ctx
    .db('call_fund_sources')
    .insert(Object.entries(sources).map(([source, amount]) => ({ call_id: callId, source, amount_fen: amount })));
  const criteria: number[] = [];
  for (const [i, weight] of [60, 40].entries()) {
    criteria.push(
      await insert(ctx, 'call_criteria', { call_id: callId, position: i + 1, name: `标准${i + 1}`, weight }),
    );
  }
  await ctx.db.transaction((trx) =>
    reserveForCall(trx, {
      streetOfficeId: street.id,
      year: 2026,
      callId,
      amounts: Object.entries(sources).map(([source, amountFen]) => ({
        source: source as FundSource,
        amountFen: amountFen!,
      })),
      userId: null,
      now: at,
    }),
  );

  const reviewerCount = Math.max(0, ...spec.bids.map((b) => b.scores.length));
  const reviewers: ReadyCall['reviewers'] = [];
  for (let r = 0; r < reviewerCount; r += 1) {
    const reviewer = await ctx.make.user('reviewer');
    reviewers.push(reviewer);
    await ctx
      .db('call_reviewers')
      .insert({ call_id: callId, reviewer_id: reviewer.id, assigned_by: manager.id, assigned_at: iso });
  }
  const bids: ReadyCall['bids'] = [];
  for (const [i, b] of spec.bids.entries()) {
    const staff = await ctx.make.user('org_staff');
    const organizationId = staff.organization_id!;
    const submittedAt =
      b.submittedAt ?? new Date(new Date(closesAt).getTime() - (spec.bids.length - i) * 60000).toISOString();
    const bidId = await insert(ctx, 'bids', {
      call_id: callId,
      organization_id: organizationId,
      status: 'submitted',
      price_fen: b.priceFen,
      service_plan: '服务方案',
      submitted_at: submittedAt,
      created_by: staff.id,
      created_at: submittedAt,
      updated_at: submittedAt,
    });
    for (const [r, scores] of b.scores.entries()) {
      await ctx.db('conflict_declarations').insert({
        call_id: callId,
        reviewer_id: reviewers[r].id,
        bid_id: bidId,
        has_conflict: false,
        declared_at: iso,
      });
      await ctx.db('review_scores').insert(
        scores.map((score, c) => ({
          bid_id: bidId,
          reviewer_id: reviewers[r].id,
          criterion_id: criteria[c],
          score,
          comment: null,
          created_at: iso,
          updated_at: iso,
        })),
      );
    }
    const bidRef = (await ctx.db('bids').where({ id: bidId }).first('ref')).ref as string;
    bids.push({ bidId, bidRef, organizationId, staff });
  }
  return { callId, streetOfficeId: street.id, manager, bids, reviewers, budgetFen };
}

export async function agentFor(ctx: TestContext, user: { username: string }): Promise<Agent> {
  return signIn(ctx, user.username);
}

/** Ids of the users a notification kind went to, for one subject. */
export async function notified(ctx: TestContext, kind: string): Promise<number[]> {
  const rows = await ctx.db('notifications').where({ kind }).orderBy('user_id').select('user_id');
  return rows.map((r: { user_id: number }) => Number(r.user_id));
}

/** The session user of a test manager, for calling services directly. */
export function managerUser(call: ReadyCall): SessionUser {
  return {
    id: call.manager.id,
    username: call.manager.username,
    displayName: call.manager.username,
    role: 'manager',
    streetOfficeId: call.streetOfficeId,
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds: [call.streetOfficeId],
  };
}

/** A call with its award proposed (the top bid for a tender unless fields say otherwise). */
export async function proposedAward(
  ctx: TestContext,
  spec: CallSpec,
  fields?: (call: ReadyCall) => Record<string, string>,
) {
  const call = await readyCall(ctx, spec);
  const { proposeAward } = await import('../../src/modules/awards/service');
  const body = fields ? fields(call) : { winner: call.bids[0].bidRef };
  const awardId = await proposeAward(ctx, systemActor, managerUser(call), call.callId, body);
  return { call, awardId };
}

/** A tiny valid PDF for upload tests. */
export const PDF = minimalPdf('1.4', 'test');
