import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import type { FundSource } from '../src/modules/funds/ledger';

const yuan = (n: number) => n * 100;

interface DemoEntry {
  source: FundSource;
  yuan: number;
  note: string;
  at: string;
  /** A mistyped allocation, reversed right after: shows how corrections look in the ledger. */
  reversedBecause?: string;
}

// 东山 and 柳城 grow from 2025 to 2026; 月河 falls below the ¥2,000,000 floor in 2026 (a warning).
const PLAN: Record<string, { manager: string; years: Record<number, DemoEntry[]> }> = {
  东山街道: {
    manager: 'manager.dongshan',
    years: {
      2025: [
        { source: 'fiscal', yuan: 1_500_000, note: '宁江财预〔2025〕8号', at: '2025-01-15T02:00:00.000Z' },
        { source: 'lottery', yuan: 400_000, note: '宁江民福〔2025〕3号', at: '2025-03-02T02:00:00.000Z' },
        {
          source: 'development_fund',
          yuan: 200_000,
          note: '街道社会组织发展基金 2025 年度',
          at: '2025-04-10T02:00:00.000Z',
        },
      ],
      2026: [
        { source: 'fiscal', yuan: 1_700_000, note: '宁江财预〔2026〕12号', at: '2026-01-14T02:00:00.000Z' },
        { source: 'lottery', yuan: 450_000, note: '宁江民福〔2026〕5号', at: '2026-02-26T02:00:00.000Z' },
        {
          source: 'development_fund',
          yuan: 250_000,
          note: '街道社会组织发展基金 2026 年度',
          at: '2026-03-18T02:00:00.000Z',
        },
        { source: 'donation', yuan: 100_000, note: '江宁区慈善总会定向捐赠', at: '2026-06-05T02:00:00.000Z' },
      ],
    },
  },
  柳城街道: {
    manager: 'manager.liucheng',
    years: {
      2025: [
        { source: 'fiscal', yuan: 1_800_000, note: '温财预〔2025〕21号', at: '2025-01-20T02:00:00.000Z' },
        { source: 'donation', yuan: 300_000, note: '企业定向捐赠 2025-007', at: '2025-05-12T02:00:00.000Z' },
      ],
      2026: [
        { source: 'fiscal', yuan: 2_000_000, note: '温财预〔2026〕17号', at: '2026-01-19T02:00:00.000Z' },
        {
          source: 'lottery',
          yuan: 3_000_000,
          note: '温民福〔2026〕2号',
          at: '2026-02-10T02:00:00.000Z',
          reversedBecause: '金额多录一个零，应为 ¥300,000.00',
        },
        { source: 'lottery', yuan: 300_000, note: '温民福〔2026〕2号（更正）', at: '2026-02-10T03:00:00.000Z' },
        { source: 'donation', yuan: 200_000, note: '企业定向捐赠 2026-003', at: '2026-05-08T02:00:00.000Z' },
      ],
    },
  },
  月河街道: {
    manager: 'manager.yuehe',
    years: {
      2025: [
        { source: 'fiscal', yuan: 1_600_000, note: '吴财预〔2025〕9号', at: '2025-01-22T02:00:00.000Z' },
        { source: 'lottery', yuan: 500_000, note: '吴民福〔2025〕4号', at: '2025-03-15T02:00:00.000Z' },
      ],
      2026: [
        { source: 'fiscal', yuan: 1_200_000, note: '吴财预〔2026〕6号', at: '2026-01-21T02:00:00.000Z' },
        { source: 'lottery', yuan: 300_000, note: '吴民福〔2026〕1号', at: '2026-03-11T02:00:00.000Z' },
      ],
    },
  },
};

async function entry(trx: Knex.Transaction, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx('fund_entries').insert(row).returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

/** Fund allocations for the three demo street offices, 2025 and 2026: ledger entries and the balances they add up to. */
export async function seed({ trx, now }: SeedContext): Promise<void> {
  const streets = await trx('street_offices').whereIn('name', Object.keys(PLAN)).select('id', 'name');
  const users = await trx('users')
    .whereIn(
      'username',
      Object.values(PLAN).map((p) => p.manager),
    )
    .select('id', 'username');
  const userId = Object.fromEntries(users.map((u) => [u.username, Number(u.id)]));
  const balances = new Map<
    string,
    { street_office_id: number; year: number; source: FundSource; allocated_fen: number }
  >();
  for (const street of streets) {
    const plan = PLAN[street.name];
    for (const [year, entries] of Object.entries(plan.years)) {
      for (const e of entries) {
        const base = {
          street_office_id: Number(street.id),
          year: Number(year),
          source: e.source,
          created_by: userId[plan.manager] ?? null,
        };
        const id = await entry(trx, {
          ...base,
          kind: 'allocation',
          amount_fen: yuan(e.yuan),
          note: e.note,
          created_at: e.at,
        });
        const key = `${street.id}|${year}|${e.source}`;
        const b = balances.get(key) ?? {
          street_office_id: Number(street.id),
          year: Number(year),
          source: e.source,
          allocated_fen: 0,
        };
        b.allocated_fen += yuan(e.yuan);
        if (e.reversedBecause) {
          await entry(trx, {
            ...base,
            kind: 'reversal',
            amount_fen: yuan(e.yuan),
            reverses_entry_id: id,
            note: e.reversedBecause,
            created_at: e.at.replace('T02:00', 'T02:30'),
          });
          b.allocated_fen -= yuan(e.yuan);
        }
        balances.set(key, b);
      }
    }
  }
  const at = now.toISOString();
  if (balances.size)
    await trx('fund_accounts').insert(
      [...balances.values()].map((b) => ({ ...b, reserved_fen: 0, committed_fen: 0, paid_fen: 0, updated_at: at })),
    );
}
