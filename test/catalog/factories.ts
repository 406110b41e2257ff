import type { TestContext } from '../helpers/app';

let n = 0;

/** A catalogue item row (active, 2026, allowing every method unless told otherwise). */
export async function makeItem(ctx: TestContext, overrides: Record<string, unknown> = {}) {
  n += 1;
  const category = await ctx.db('service_categories').orderBy('sort_order').first('id');
  const at = ctx.clock.now().toISOString();
  const row = {
    category_id: category.id,
    street_office_id: null,
    year: 2026,
    code: `T-${process.pid}-${n}`,
    name: `测试服务项目${n}`,
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
