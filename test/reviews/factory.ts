import type { TestContext } from '../helpers/app';

// Rows for review tests, inserted directly: a published call of a street office (with criteria) whose
// deadline is before the test clock's "now", and submitted bids on it. Bids are made here rather
// than through the bids module so the review tests stand on their own.

let seq = 0;

export interface ReviewFixture {
  streetOfficeId: number;
  callId: number;
  closesAt: string;
  criteria: { id: number; weight: number }[];
}

export async function reviewCall(
  ctx: TestContext,
  opts: { streetOfficeId?: number; closesAt?: string; criteria?: number[]; status?: string; title?: string } = {},
): Promise<ReviewFixture> {
  const n = ++seq;
  const at = ctx.clock.now().toISOString();
  const streetOfficeId = opts.streetOfficeId ?? (await ctx.make.streetOffice()).id;
  const category = await ctx.db('service_categories').first('id');
  const [item] = await ctx
    .db('catalog_items')
    .insert({
      category_id: category.id,
      street_office_id: null,
      year: 2026,
      code: `RV-${n}-${Date.now() % 100000}`,
      name: '测试服务',
      description: '说明',
      service_standard: '标准',
      unit: '次',
      guidance_price_fen: 10000,
      methods: 'contract_outsourcing',
      status: 'active',
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  const closesAt = opts.closesAt ?? new Date(ctx.clock.now().getTime() - 3600_000).toISOString();
  const [call] = await ctx
    .db('calls')
    .insert({
      street_office_id: streetOfficeId,
      catalog_item_id: typeof item === 'object' ? item.id : item,
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

/** Puts a call under review with a panel, directly (for tests of what comes after opening). */
export async function underReview(ctx: TestContext, callId: number, reviewerIds: number[]) {
  const at = ctx.clock.now().toISOString();
  await ctx.db('calls').where({ id: callId }).update({ status: 'under_review', bids_opened_at: at });
  if (reviewerIds.length)
    await ctx
      .db('call_reviewers')
      .insert(reviewerIds.map((id) => ({ call_id: callId, reviewer_id: id, assigned_at: at })));
}

export async function declareDirect(
  ctx: TestContext,
  callId: number,
  reviewerId: number,
  bidId: number,
  hasConflict = false,
) {
  await ctx.db('conflict_declarations').insert({
    call_id: callId,
    reviewer_id: reviewerId,
    bid_id: bidId,
    has_conflict: hasConflict,
    note: hasConflict ? '亲属' : null,
    declared_at: ctx.clock.now().toISOString(),
  });
}

/** A complete sheet, directly: scores in the order of the call's criteria. */
export async function sheetDirect(
  ctx: TestContext,
  fixture: ReviewFixture,
  reviewerId: number,
  bidId: number,
  scores: number[],
) {
  const at = ctx.clock.now().toISOString();
  await ctx.db('review_scores').insert(
    fixture.criteria.map((c, i) => ({
      bid_id: bidId,
      reviewer_id: reviewerId,
      criterion_id: c.id,
      score: scores[i],
      comment: '评语',
      created_at: at,
      updated_at: at,
    })),
  );
}

/** Form fields of a whole sheet. */
export function sheetForm(fixture: ReviewFixture, scores: (number | string)[], comment = '理由充分') {
  const fields: Record<string, string> = {};
  fixture.criteria.forEach((c, i) => {
    fields[`score_${c.id}`] = String(scores[i]);
    fields[`comment_${c.id}`] = comment;
  });
  return fields;
}
