import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { storeFile } from '../src/files/storage';
import { PdfWriter } from '../src/pdf';

const DAY = 24 * 60 * 60 * 1000;
const yuan = (n: number) => n * 100;

// Demo bids. The demo organizations (org.anxin, org.tongxin, org.lvyin):
// - submitted bids on the call whose deadline has passed (05_calls.ts: 月河街道居民议事协商能力建设项目),
//   so that 08_reviews.ts opens and scores them (prices and submission order as that seed expects:
//   the second and third tie on score and the lower price decides);
// - on open calls: a draft of org.anxin (东山 居家养老), a submitted venture proposal of org.tongxin
//   with matching funds (柳城 成长营), and a submitted venture proposal of org.lvyin (东山 创投).
// Each bid has a budget table adding up to price + matching funds and a small proposal PDF.

interface DemoBid {
  org: string;
  call: string;
  status: 'draft' | 'submitted';
  priceYuan: number | null;
  matchingYuan?: number;
  submittedDaysBeforeClose?: number;
  plan: string;
  lines: [string, number][];
}

const STAFFING = '项目负责人1名（中级社工师），专职社工2名，志愿者10名。';
const SCHEDULE = '第1个月调研与方案细化；第2—10个月实施；第11—12个月总结评估。';
const OUTCOMES = '服务对象满意度不低于90%，形成可推广的工作手册。';

const BIDS: DemoBid[] = [
  {
    org: '湖州市吴兴区绿荫公益基金会',
    call: '月河街道居民议事协商能力建设项目',
    status: 'submitted',
    priceYuan: 168_000,
    submittedDaysBeforeClose: 5,
    plan: '以“议事坊”为载体，在各社区组建居民议事骨干队伍，开展12期协商议事培训和6次示范议事会，形成议事规则手册。',
    lines: [
      ['人员费用', 108_000],
      ['培训与会议', 42_000],
      ['手册编印', 10_000],
      ['管理费用', 8_000],
    ],
  },
  {
    org: '成都市温江区同心社会工作服务中心',
    call: '月河街道居民议事协商能力建设项目',
    status: 'submitted',
    priceYuan: 172_000,
    submittedDaysBeforeClose: 3,
    plan: '由持证社工驻点，采用开放空间和世界咖啡等参与式方法，培育居民自组织并建立议事台账。',
    lines: [
      ['人员费用', 120_000],
      ['活动费用', 40_000],
      ['管理费用', 12_000],
    ],
  },
  {
    org: '南京市江宁区安心养老服务中心',
    call: '月河街道居民议事协商能力建设项目',
    status: 'submitted',
    priceYuan: 175_000,
    submittedDaysBeforeClose: 2,
    plan: '依托社区为老服务网络，引导老年居民参与社区议事，每季度开展专题协商并跟踪落实。',
    lines: [
      ['人员费用', 115_000],
      ['活动费用', 45_000],
      ['督导与评估', 15_000],
    ],
  },
  {
    org: '南京市江宁区安心养老服务中心',
    call: '2026年东山街道居家养老上门服务项目',
    status: 'draft',
    priceYuan: 330_000,
    plan: '组建12人上门服务队，为约300名高龄独居老人提供助餐、助洁、助浴、助医服务，建立一人一档。',
    lines: [
      ['护理员薪酬', 240_000],
      ['服务耗材', 50_000],
    ],
  },
  {
    org: '成都市温江区同心社会工作服务中心',
    call: '柳城街道青少年暑期成长营公益创投',
    status: 'submitted',
    priceYuan: 30_000,
    matchingYuan: 8_000,
    submittedDaysBeforeClose: 10,
    plan: '为流动人口子女开设为期六周的暑期成长营：安全教育、绘画和篮球课程，每期40人。',
    lines: [
      ['课程教师劳务', 20_000],
      ['活动物料', 10_000],
      ['保险与交通（机构自筹）', 8_000],
    ],
  },
  {
    org: '湖州市吴兴区绿荫公益基金会',
    call: '东山街道第三届社区公益创投大赛',
    status: 'submitted',
    priceYuan: 48_000,
    matchingYuan: 12_000,
    submittedDaysBeforeClose: 20,
    plan: '“绿荫护河”社区环保行动：组织居民志愿者巡河、开展垃圾分类宣传与旧物改造工作坊。',
    lines: [
      ['活动费用', 30_000],
      ['宣传物料', 18_000],
      ['志愿者保险（基金会配套）', 12_000],
    ],
  },
];

/** A one-page proposal drawn with the app's PDF layer, so the demo's downloads open in a reader
 *  (and pass the same upload check as any organization's file). */
export async function demoPdf(organization: string, plan: string, at: Date): Promise<Buffer> {
  const w = await PdfWriter.create({ title: '项目方案书', identifier: organization, createdAt: at.toISOString() });
  w.title('项目方案书', [organization]);
  w.heading('项目方案');
  w.paragraph(plan);
  return w.finish();
}

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx(table).insert(row).returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const orgs = Object.fromEntries((await trx('organizations').select('id', 'name')).map((r) => [r.name, Number(r.id)]));
  const calls = Object.fromEntries(
    (await trx('calls').whereNot('status', 'draft').select('id', 'title', 'closes_at', 'opens_at')).map((r) => [
      r.title,
      r,
    ]),
  );
  for (const b of BIDS) {
    const call = calls[b.call];
    const organizationId = orgs[b.org];
    if (!call || !organizationId) continue;
    const staff = await trx('users')
      .where({ organization_id: organizationId, role: 'org_staff' })
      .orderBy('id')
      .first('id');
    const closes = new Date(call.closes_at).getTime();
    const submittedAt =
      b.status === 'submitted'
        ? new Date(Math.min(closes - (b.submittedDaysBeforeClose ?? 1) * DAY, now.getTime()))
        : null;
    const createdAt = new Date(Math.max(new Date(call.opens_at).getTime(), (submittedAt ?? now).getTime() - DAY));
    const bidId = await insertId(trx, 'bids', {
      call_id: call.id,
      organization_id: organizationId,
      status: b.status,
      price_fen: b.priceYuan === null ? null : yuan(b.priceYuan),
      matching_funds_fen: yuan(b.matchingYuan ?? 0),
      service_plan: b.plan,
      staffing: STAFFING,
      schedule: b.status === 'draft' ? null : SCHEDULE,
      expected_outcomes: b.status === 'draft' ? null : OUTCOMES,
      submitted_at: submittedAt?.toISOString() ?? null,
      created_by: staff?.id ?? null,
      updated_by: staff?.id ?? null,
      created_at: createdAt.toISOString(),
      updated_at: (submittedAt ?? now).toISOString(),
    });
    await trx('bid_budget_lines').insert(
      b.lines.map(([item, amount], i) => ({ bid_id: bidId, position: i + 1, item, amount_fen: yuan(amount) })),
    );
    if (b.status === 'submitted' && staff) {
      const buffer = await demoPdf(b.org, b.plan, now);
      const file = { originalname: '项目方案书.pdf', buffer, size: buffer.length } as Express.Multer.File;
      const stored = await storeFile(trx, config.uploadDir, file, 'proposal', Number(staff.id), now);
      await trx('bid_files').insert({
        bid_id: bidId,
        file_id: stored.id,
        kind: 'proposal',
        created_at: (submittedAt ?? now).toISOString(),
      });
    }
  }
}
