import type { TestContext } from '../helpers/app';
import type { FundSource } from '../../src/modules/funds';
import { makeItem } from '../catalog/factories';

/** Money allocated to a street-year's source, as the funds module records it (balance row + ledger entry). */
export async function allocate(ctx: TestContext, streetOfficeId: number, source: FundSource, fen: number, year = 2026) {
  const at = ctx.clock.now().toISOString();
  await ctx
    .db('fund_accounts')
    .insert({
      street_office_id: streetOfficeId,
      year,
      source,
      allocated_fen: fen,
      reserved_fen: 0,
      committed_fen: 0,
      paid_fen: 0,
      updated_at: at,
    })
    .onConflict(['street_office_id', 'year', 'source'])
    .merge({ allocated_fen: ctx.db.raw('fund_accounts.allocated_fen + ?', [fen]), updated_at: at });
  await ctx.db('fund_entries').insert({
    street_office_id: streetOfficeId,
    year,
    source,
    kind: 'allocation',
    amount_fen: fen,
    created_by: null,
    created_at: at,
  });
}

export async function account(ctx: TestContext, streetOfficeId: number, source: FundSource, year = 2026) {
  const row = await ctx.db('fund_accounts').where({ street_office_id: streetOfficeId, year, source }).first();
  return { allocated: Number(row?.allocated_fen ?? 0), reserved: Number(row?.reserved_fen ?? 0) };
}

/** A complete, valid call form (the test clock stands at 2026-11-25 10:00 Shanghai). */
export function callForm(catalogItemId: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    catalogItemId: String(catalogItemId),
    title: '2026年东山街道居家养老上门服务项目',
    description: '为辖区高龄独居老人提供上门服务',
    fundingMode: 'project_purchase',
    method: 'contract_outsourcing',
    budgetYear: '2026',
    amount_fiscal: '300000',
    amount_lottery: '',
    amount_development_fund: '',
    amount_donation: '',
    perProjectCap: '',
    opensAt: '2026-11-26T09:00',
    closesAt: '2026-12-20T17:00',
    criterion1Name: '服务方案',
    criterion1Weight: '40',
    criterion2Name: '团队资质',
    criterion2Weight: '30',
    criterion3Name: '报价',
    criterion3Weight: '30',
    criterion4Name: '',
    criterion4Weight: '',
    weight_self: '10',
    weight_manager: '30',
    weight_peer: '10',
    weight_citizen: '20',
    weight_third_party: '30',
    publicityDays: '7',
    ...overrides,
  };
}

/** A manager's street with an item and money in the fiscal source. */
export async function streetWithMoney(ctx: TestContext, streetOfficeId: number, fiscalFen = 100_000_000) {
  const item = await makeItem(ctx, { street_office_id: streetOfficeId });
  if (fiscalFen) await allocate(ctx, streetOfficeId, 'fiscal', fiscalFen);
  return item;
}

export const countOf = async (ctx: TestContext, table: string, where: Record<string, unknown> = {}) =>
  Number((await ctx.db(table).where(where).count({ n: '*' }).first())?.n);
