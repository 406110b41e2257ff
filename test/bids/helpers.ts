import type { TestContext } from '../helpers/app';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { minimalPdf } from '../helpers/pdf-fixture';

// The published call is a link of the shared chain of test records (test/helpers/chain.ts).
export { OPENS_AT, CLOSES_AT, publishedCall as makeCall } from '../helpers/chain';
export const BEFORE = '2026-12-01T01:59:59.000Z'; // one second before the deadline
export const AFTER = '2026-12-01T02:00:01.000Z'; // one second after it

export const PDF = minimalPdf();
export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** A complete, valid bid form (price ¥300,000 = lines 200,000 + 100,000). */
export function bidFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    servicePlan: '每周两次上门助餐、助洁服务',
    staffing: '项目负责人1名，持证社工3名',
    schedule: '2027年1月至12月，按季度推进',
    expectedOutcomes: '服务老人200名，满意度90%以上',
    price: '300000',
    matchingFunds: '',
    line1Item: '人员费用',
    line1Amount: '200000',
    line2Item: '服务物料',
    line2Amount: '100000',
    intent: 'submit',
    ...overrides,
  };
}

/** POSTs the multipart bid form, with a proposal PDF unless told otherwise. */
export async function postBid(
  agent: Agent,
  path: string,
  fields: Record<string, string | string[]>,
  opts: { proposal?: { content: Buffer; name: string } | null; token?: string } = {},
) {
  const token = opts.token ?? (await csrfFrom(agent, '/dashboard'));
  let req = agent.post(path).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) req = req.field(k, item);
  const proposal = opts.proposal === undefined ? { content: PDF, name: '方案书.pdf' } : opts.proposal;
  if (proposal) req = req.attach('proposal', proposal.content, proposal.name);
  return req;
}

/** An organization's staff member, signed in. */
export async function staffAgent(ctx: TestContext, orgOverrides: Record<string, unknown> = {}) {
  const org = await ctx.make.organization(orgOverrides);
  const { agent, user } = await loginAs(ctx, 'org_staff', { organization_id: org.id });
  return { agent, user, org };
}

export const count = async (ctx: TestContext, table: string, where: Record<string, unknown> = {}) =>
  Number((await ctx.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);

/** Everything a refused request must leave as it was. */
export async function snapshot(ctx: TestContext) {
  const [bids, lines, files, stored, events, exclusions, sealedEvents] = await Promise.all(
    [
      'bids',
      'bid_budget_lines',
      'bid_files',
      'stored_files',
      'audit_events',
      'street_office_exclusions',
      'sealed_audit_events',
    ].map((t) => count(ctx, t)),
  );
  const rows = await ctx.db('bids').orderBy('id').select('id', 'status', 'price_fen', 'updated_at', 'service_plan');
  return { bids, lines, files, stored, events, exclusions, sealedEvents, rows: JSON.stringify(rows) };
}
