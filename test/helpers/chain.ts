import type { TestContext } from './app';
import { systemActor } from '../../src/audit/audit';
import type { FundSource } from '../../src/modules/funds';
import type { SessionUser } from '../../src/modules/accounts/roles';

/**
 * The chain of test records, in the order the product makes them; a test starts where it needs to,
 * in one line:
 *
 *   catalogItem → allocation → publishedCall → closedCall (+ submittedBid) → reviewedCall
 *   → proposedAward → finalAward → draftContract → signedContract
 *
 * The call layers (`publishedCall`, `closedCall`, `reviewedCall`) insert their rows directly, each with
 * the defaults its module's tests were written against; from `reviewedCall` on, money moves through the
 * services (allocations recorded, the budget reserved, the award proposed and confirmed, the contract
 * drafted, sent, accepted and signed). Services are loaded when a builder first needs them, so that
 * loading these helpers loads no module.
 *
 * The modules' own factories (`test/bids/helpers.ts`, `test/reviews/factory.ts`, `test/awards/factory.ts`,
 * `test/contracts/factory.ts`, `test/catalog/factories.ts`) re-export these under the names their tests use.
 */

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

const idOf = (row: unknown) => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);

async function insert(ctx: TestContext, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await ctx.db(table).insert(row).returning('id');
  return idOf(inserted);
}

// ---------------------------------------------------------------------------------------------------
// Catalogue items and funds

let itemSeq = 0;

/** A catalogue item row (active, 2026, allowing every method unless told otherwise). */
export async function catalogItem(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  itemSeq += 1;
  const category = await ctx.db('service_categories').orderBy('sort_order').first('id');
  const at = ctx.clock.now().toISOString();
  const row = {
    category_id: category.id,
    street_office_id: null,
    year: 2026,
    code: `T-${process.pid}-${itemSeq}`,
    name: `测试服务项目${itemSeq}`,
    description: '测试用服务内容',
    service_standard: '测试用服务标准',
    unit: '人次',
    guidance_price_fen: 10000,
    methods: 'contract_outsourcing,project_entrustment,venture',
    status: 'active',
    created_by: null,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
  const [inserted] = await ctx.db('catalog_items').insert(row).returning('id');
  return { ...row, id: Number(typeof inserted === 'object' ? inserted.id : inserted) };
}

/** Money allocated to a street-year from one source, through the funds service (ledger and audit). */
export async function allocation(
  ctx: TestContext,
  a: { streetOfficeId: number; source: FundSource; amountFen: number; year?: number; note?: string },
) {
  const { recordAllocation } = await import('../../src/modules/funds/allocations');
  return recordAllocation(ctx, systemActor, admin, {
    streetOfficeId: a.streetOfficeId,
    year: a.year ?? 2026,
    source: a.source,
    amountFen: a.amountFen,
    note: a.note ?? 'test',
  });
}

// ---------------------------------------------------------------------------------------------------
// Published call (the bids tests' call: open from OPENS_AT until CLOSES_AT)

export const OPENS_AT = '2026-11-20T00:00:00.000Z';
export const CLOSES_AT = '2026-12-01T02:00:00.000Z';

/** A published call inserted directly (the calls module's forms are tested there). */
export async function publishedCall(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  const street = overrides.street_office_id
    ? { id: overrides.street_office_id as number }
    : await ctx.make.streetOffice();
  const itemId = overrides.catalog_item_id ?? (await catalogItem(ctx)).id;
  const at = ctx.clock.now().toISOString();
  const row = {
    street_office_id: street.id,
    catalog_item_id: itemId,
    title: '居家养老上门服务',
    description: '为辖区高龄独居老人提供上门服务',
    funding_mode: 'project_purchase',
    method: 'contract_outsourcing',
    budget_fen: 50_000_000,
    budget_year: 2026,
    per_project_cap_fen: null,
    opens_at: OPENS_AT,
    closes_at: CLOSES_AT,
    weight_self: 10,
    weight_manager: 30,
    weight_peer: 10,
    weight_citizen: 30,
    weight_third_party: 20,
    publicity_days: 7,
    status: 'published',
    published_at: at,
    created_at: at,
    updated_at: at,
    ...overrides,
  };
  const [inserted] = await ctx.db('calls').insert(row).returning('id');
  return { ...row, id: Number(typeof inserted === 'object' ? inserted.id : inserted) };
}

// ---------------------------------------------------------------------------------------------------
// Closed call and submitted bids (the reviews tests' call: published, deadline before the clock's "now")

let closedSeq = 0;

export interface ReviewFixture {
  streetOfficeId: number;
  callId: number;
  closesAt: string;
  criteria: { id: number; weight: number }[];
}

/** A published call of a street office (with criteria) whose deadline is before the test clock's "now". */
export async function closedCall(
  ctx: TestContext,
  opts: { streetOfficeId?: number; closesAt?: string; criteria?: number[]; status?: string; title?: string } = {},
): Promise<ReviewFixture> {
  const n = ++closedSeq;
  const at = ctx.clock.now().toISOString();
  const streetOfficeId = opts.streetOfficeId ?? (await ctx.make.streetOffice()).id;
  const category = await ctx.db('service_categories').first('id');
  const item = await catalogItem(ctx, {
    category_id: category.id,
    code: `RV-${n}-${Date.now() % 100000}`,
    name: '测试服务',
    description: '说明',
    service_standard: '标准',
    unit: '次',
    methods: 'contract_outsourcing',
  });
  const closesAt = opts.closesAt ?? new Date(ctx.clock.now().getTime() - 3600_000).toISOString();
  const [call] = await ctx
    .db('calls')
    .insert({
      street_office_id: streetOfficeId,
      catalog_item_id: item.id,
      title: opts.title ?? `评审测试项目${n}`,
      description: '项目说明',
      funding_mode: 'project_purchase',
      method: 'contract_outsourcing',
      budget_fen: 10_000_000,
      budget_year: 2026,
      opens_at: '2026-01-01T00:00:00.000Z',
      closes_at: closesAt,
      weight_self: 10,
      weight_manager: 30,
      weight_peer: 10,
      weight_citizen: 20,
      weight_third_party: 30,
      publicity_days: 7,
      status: opts.status ?? 'published',
      published_at: '2026-01-01T00:00:00.000Z',
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  const callId = Number(typeof call === 'object' ? call.id : call);
  const weights = opts.criteria ?? [60, 40];
  await ctx
    .db('call_criteria')
    .insert(weights.map((w, i) => ({ call_id: callId, position: i + 1, name: `标准${i + 1}`, weight: w })));
  const criteria = (
    await ctx.db('call_criteria').where({ call_id: callId }).orderBy('position').select('id', 'weight')
  ).map((c) => ({ id: Number(c.id), weight: Number(c.weight) }));
  return { streetOfficeId, callId, closesAt, criteria };
}

/** A bid on a call, inserted directly (submitted unless told otherwise). */
export async function submittedBid(
  ctx: TestContext,
  callId: number,
  opts: { organizationId?: number; priceFen?: number; submittedAt?: string; status?: string } = {},
) {
  const organizationId = opts.organizationId ?? (await ctx.make.organization()).id;
  const at = '2026-01-02T00:00:00.000Z';
  const [bid] = await ctx
    .db('bids')
    .insert({
      call_id: callId,
      organization_id: organizationId,
      status: opts.status ?? 'submitted',
      price_fen: opts.priceFen ?? 5_000_000,
      service_plan: '服务方案正文',
      staffing: '人员',
      schedule: '进度',
      expected_outcomes: '成效',
      submitted_at: opts.status === 'draft' ? null : (opts.submittedAt ?? at),
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  return { id: Number(typeof bid === 'object' ? bid.id : bid), organizationId };
}

// ---------------------------------------------------------------------------------------------------
// Reviewed call (ready for its award) and what follows: money moves through the services

/**
 * A call ready for its award: a street office with funds, a manager, a call in review with its budget
 * reserved, submitted bids of approved organizations (each with one staff user), a panel and their
 * scores, scoring closed.
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

let reviewedSeq = 0;

export async function reviewedCall(ctx: TestContext, spec: CallSpec): Promise<ReadyCall> {
  reviewedSeq += 1;
  const n = reviewedSeq;
  const { reserveForCall } = await import('../../src/modules/funds');
  const at = ctx.clock.now();
  const iso = at.toISOString();
  const sources = spec.sources ?? { fiscal: 1_000_000 };
  const budgetFen = Object.values(sources).reduce((s, v) => s + (v ?? 0), 0);
  const street = await ctx.make.streetOffice();
  const manager = await ctx.make.user('manager', { street_office_id: street.id });
  for (const [source, amount] of Object.entries(sources)) {
    await allocation(ctx, {
      streetOfficeId: street.id,
      source: source as FundSource,
      amountFen: amount! + (spec.spareFen ?? 0),
    });
  }
  const item = await catalogItem(ctx, {
    code: `AW-${process.pid}-${n}`,
    name: `评标测试服务${n}`,
    description: '测试',
    service_standard: '测试',
  });
  const closesAt = new Date(at.getTime() - 3 * 86400000).toISOString();
  const callId = await insert(ctx, 'calls', {
    street_office_id: street.id,
    catalog_item_id: item.id,
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

/** The session user of a bidding organization's staff member. */
export function staffUser(call: ReadyCall, i = 0): SessionUser {
  const b = call.bids[i];
  return {
    id: b.staff.id,
    username: b.staff.username,
    displayName: b.staff.username,
    role: 'org_staff',
    streetOfficeId: null,
    streetOfficeName: null,
    organizationId: b.organizationId,
    organizationName: null,
    streetOfficeIds: [],
  };
}

/** A call with its award proposed (the top bid for a tender unless fields say otherwise). */
export async function proposedAward(
  ctx: TestContext,
  spec: CallSpec,
  fields?: (call: ReadyCall) => Record<string, string>,
) {
  const call = await reviewedCall(ctx, spec);
  const { proposeAward } = await import('../../src/modules/awards/service');
  const body = fields ? fields(call) : { winner: call.bids[0].bidRef };
  const awardId = await proposeAward(ctx, systemActor, managerUser(call), call.callId, body);
  return { call, awardId };
}

export interface FinalAward {
  call: ReadyCall;
  awardId: number;
  items: { id: number; bidId: number; amountFen: number }[];
  manager: SessionUser;
}

/** A call whose award is final (publicity passed, confirmed through the awards service, money committed). */
export async function finalAward(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  fields?: (call: ReadyCall) => Record<string, string>,
): Promise<FinalAward> {
  const { confirmAward } = await import('../../src/modules/awards/service');
  const { call, awardId } = await proposedAward(
    ctx,
    {
      sources: { fiscal: 20_000_000 },
      bids: [
        { priceFen: 10_000_001, scores: [[90, 90]] },
        { priceFen: 9_000_000, scores: [[70, 70]] },
      ],
      ...spec,
    },
    fields,
  );
  const award = await ctx.db('awards').where({ id: awardId }).first();
  const before = ctx.clock.now();
  ctx.clock.set(new Date(new Date(award.publicity_ends_at).getTime() + 1000));
  await confirmAward(ctx, systemActor, managerUser(call), awardId);
  ctx.clock.set(before);
  const items = (
    await ctx.db('award_items').where({ award_id: awardId }).orderBy('rank').select('id', 'bid_id', 'amount_fen')
  ).map((r) => ({ id: Number(r.id), bidId: Number(r.bid_id), amountFen: Number(r.amount_fen) }));
  return { call, awardId, items, manager: managerUser(call) };
}

/** A final award with a draft contract for its first item. */
export async function draftContract(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  before?: (award: FinalAward) => Promise<void>,
) {
  const { createContract } = await import('../../src/modules/contracts/service/drafting');
  const award = await finalAward(ctx, spec);
  if (before) await before(award);
  const contractId = await createContract(ctx, systemActor, award.manager, award.awardId, award.items[0].id);
  return { ...award, contractId };
}

/** A signed (active) contract: drafted, sent, accepted by the winner's staff and signed. */
export async function signedContract(
  ctx: TestContext,
  spec: Partial<CallSpec> = {},
  before?: (award: FinalAward) => Promise<void>,
) {
  const { acceptContract, sendContract, signContract } = await import('../../src/modules/contracts/service/signing');
  const d = await draftContract(ctx, spec, before);
  await sendContract(ctx, systemActor, d.manager, d.contractId);
  await acceptContract(ctx, systemActor, staffUser(d.call), d.contractId);
  const sha256 = await signContract(ctx, systemActor, d.manager, d.contractId);
  return { ...d, sha256 };
}
