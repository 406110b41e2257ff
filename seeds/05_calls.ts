import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { releaseCallReservation, reserveForCall } from '../src/modules/funds/reservations';
import type { SourceAmount } from '../src/modules/funds/ledger';

const DAY = 24 * 60 * 60 * 1000;
const yuan = (n: number) => n * 100;

interface DemoCall {
  street: string;
  manager: string;
  itemCode: string;
  title: string;
  description: string;
  fundingMode: string;
  method: string;
  amounts: SourceAmount[];
  capYuan?: number;
  opensInDays: number;
  closesInDays: number;
  status: 'draft' | 'published' | 'cancelled';
  cancelReason?: string;
  criteria: [string, number][];
}

const STANDARD_CRITERIA: [string, number][] = [
  ['服务方案的针对性与可行性', 40],
  ['团队资质与持证社工配置', 25],
  ['以往同类项目业绩', 15],
  ['报价合理性', 20],
];
const VENTURE_CRITERIA: [string, number][] = [
  ['需求分析与项目创新性', 35],
  ['实施计划与可持续性', 35],
  ['团队能力', 15],
  ['预算合理性', 15],
];

// Times relative to the first start, so the open calls are open whenever the demo is started.
const CALLS: DemoCall[] = [
  {
    street: '东山街道',
    manager: 'manager.dongshan',
    itemCode: 'YL-2026-01',
    title: '2026年东山街道居家养老上门服务项目',
    description:
      '面向东山街道80周岁以上独居、空巢及失能老人约300人，提供助餐、助洁、助浴、助医等上门服务，服务期一年。',
    fundingMode: 'project_purchase',
    method: 'contract_outsourcing',
    amounts: [
      { source: 'fiscal', amountFen: yuan(300_000) },
      { source: 'lottery', amountFen: yuan(50_000) },
    ],
    opensInDays: -3,
    closesInDays: 25,
    status: 'published',
    criteria: STANDARD_CRITERIA,
  },
  {
    street: '东山街道',
    manager: 'manager.dongshan',
    itemCode: 'YL-2026-03',
    title: '东山街道社区老年助餐点运营项目（草稿）',
    description: '在东山街道三个社区运营老年助餐点，每日供餐不少于80份。',
    fundingMode: 'project_purchase',
    method: 'contract_outsourcing',
    amounts: [{ source: 'fiscal', amountFen: yuan(280_000) }],
    opensInDays: 5,
    closesInDays: 35,
    status: 'draft',
    criteria: STANDARD_CRITERIA,
  },
  {
    street: '东山街道',
    manager: 'manager.dongshan',
    itemCode: 'ZL-2026-01',
    title: '东山街道第三届社区公益创投大赛',
    description: '资助社区社会组织开展为老、助残、青少年和社区治理类公益项目，择优资助多个项目。',
    fundingMode: 'project_subsidy',
    method: 'venture',
    amounts: [
      { source: 'development_fund', amountFen: yuan(200_000) },
      { source: 'donation', amountFen: yuan(50_000) },
    ],
    capYuan: 50_000,
    opensInDays: -1,
    closesInDays: 40,
    status: 'published',
    criteria: VENTURE_CRITERIA,
  },
  {
    street: '柳城街道',
    manager: 'manager.liucheng',
    itemCode: 'WJ-2026-02',
    title: '柳城街道青少年暑期成长营公益创投',
    description: '面向流动人口子女的暑期安全教育、艺术和体育课程，可资助多个项目。',
    fundingMode: 'project_reward',
    method: 'venture',
    amounts: [{ source: 'fiscal', amountFen: yuan(150_000) }],
    capYuan: 30_000,
    opensInDays: -2,
    closesInDays: 20,
    status: 'published',
    criteria: VENTURE_CRITERIA,
  },
  {
    street: '柳城街道',
    manager: 'manager.liucheng',
    itemCode: 'FL-2026-01',
    title: '柳城街道社区法律顾问驻点服务',
    description: '为柳城街道8个社区配备法律顾问，每周驻点不少于半天。',
    fundingMode: 'project_purchase',
    method: 'contract_outsourcing',
    amounts: [{ source: 'fiscal', amountFen: yuan(288_000) }],
    opensInDays: -10,
    closesInDays: 15,
    status: 'cancelled',
    cancelReason: '区司法局已统一采购社区法律顾问服务，本街道不再单独采购。',
    criteria: STANDARD_CRITERIA,
  },
  {
    street: '月河街道',
    manager: 'manager.yuehe',
    itemCode: 'ZL-2026-02',
    title: '月河街道居民议事协商能力建设项目',
    description: '协助月河街道各社区建立居民议事会并开展协商议事培训。',
    fundingMode: 'project_purchase',
    method: 'project_entrustment',
    amounts: [{ source: 'fiscal', amountFen: yuan(180_000) }],
    opensInDays: -30,
    closesInDays: -2,
    status: 'published',
    criteria: STANDARD_CRITERIA,
  },
];

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx(table).insert(row).returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

/** Calls in each state for the demo street offices. Published ones reserve their budget through the
 *  funds module (04_funds.ts has allocated it), so balances match the ledger; the cancelled one
 *  reserved and released, as a real cancellation does. One call carries a deadline extension. */
export async function seed({ trx, now }: SeedContext): Promise<void> {
  const streets = Object.fromEntries(
    (await trx('street_offices').select('id', 'name')).map((r) => [r.name, Number(r.id)]),
  );
  const users = Object.fromEntries(
    (await trx('users').select('id', 'username')).map((r) => [r.username, Number(r.id)]),
  );
  const items = Object.fromEntries(
    (await trx('catalog_items').where({ year: 2026 }).select('id', 'code')).map((r) => [r.code, Number(r.id)]),
  );
  const at = (days: number) => new Date(Math.floor((now.getTime() + days * DAY) / (60 * 60 * 1000)) * 60 * 60 * 1000);
  for (const c of CALLS) {
    const streetOfficeId = streets[c.street];
    const userId = users[c.manager] ?? null;
    if (!streetOfficeId || !items[c.itemCode]) continue;
    const budget = c.amounts.reduce((s, a) => s + a.amountFen, 0);
    const callId = await insertId(trx, 'calls', {
      street_office_id: streetOfficeId,
      catalog_item_id: items[c.itemCode],
      title: c.title,
      description: c.description,
      funding_mode: c.fundingMode,
      method: c.method,
      budget_fen: budget,
      budget_year: 2026,
      per_project_cap_fen: c.capYuan ? yuan(c.capYuan) : null,
      opens_at: at(c.opensInDays).toISOString(),
      closes_at: at(c.closesInDays).toISOString(),
      weight_self: 10,
      weight_manager: 30,
      weight_peer: 10,
      weight_citizen: 20,
      weight_third_party: 30,
      publicity_days: 7,
      status: c.status,
      published_at: c.status === 'draft' ? null : at(c.opensInDays - 1).toISOString(),
      cancelled_at: c.status === 'cancelled' ? now.toISOString() : null,
      cancel_reason: c.cancelReason ?? null,
      created_by: userId,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
    await trx('call_fund_sources').insert(
      c.amounts.map((a) => ({ call_id: callId, source: a.source, amount_fen: a.amountFen })),
    );
    await trx('call_criteria').insert(
      c.criteria.map(([name, weight], i) => ({ call_id: callId, position: i + 1, name, weight })),
    );
    if (c.status !== 'draft') {
      await reserveForCall(trx, { streetOfficeId, year: 2026, callId, amounts: c.amounts, userId, now });
    }
    if (c.status === 'cancelled') {
      await releaseCallReservation(trx, { callId, userId, now });
    }
    if (c.method === 'venture' && c.street === '东山街道') {
      const before = at(c.closesInDays - 10).toISOString();
      const after = at(c.closesInDays).toISOString();
      await trx('calls').where({ id: callId }).update({ closes_at: after });
      await trx('call_amendments').insert({
        call_id: callId,
        user_id: userId,
        kind: 'deadline_extension',
        changes_json: JSON.stringify([{ field: 'closesAt', before, after }]),
        occurred_at: now.toISOString(),
      });
    }
  }
}
