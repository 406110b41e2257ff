import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { userActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { reserveForCall } from '../src/modules/funds/reservations';
import * as review from '../src/modules/reviews/service';
import { storeFile } from '../src/files/storage';
import type { Config } from '../src/config';
import { demoPdf } from './07_bids';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const yuan = (n: number) => n * 100;

// Demo review, driven through the review's own service functions (so the audit trail, declarations
// and notifications are what the app itself writes):
// 1. the published call whose deadline has passed (05_calls.ts: 月河街道居民议事协商能力建设项目):
//    bids opened, reviewer.zhang and reviewer.li on the panel, no conflict declared, scored, scoring
//    closed -> the ranking is explorable at once (two bids tie on score and the lower price decides);
// 2. a second call of 东山街道, closed a day ago, opened with the same panel but scoring still open:
//    reviewer.zhang has scored one bid of two, reviewer.li nothing yet -> both have something to do.
// Bids come from 07_bids.ts when it put submitted bids on the call; otherwise they are made here.

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx(table).insert(row).returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

async function sessionUser(trx: Knex.Transaction, username: string): Promise<SessionUser | null> {
  const u = await trx('users')
    .where({ username })
    .first('id', 'username', 'display_name', 'role', 'street_office_id', 'organization_id');
  if (!u) return null;
  const streetOfficeId = u.street_office_id === null ? null : Number(u.street_office_id);
  return {
    id: Number(u.id),
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    streetOfficeId,
    streetOfficeName: null,
    organizationId: u.organization_id === null ? null : Number(u.organization_id),
    organizationName: null,
    streetOfficeIds: streetOfficeId ? [streetOfficeId] : [],
  };
}

const PLANS: Record<string, string> = {
  湖州市吴兴区绿荫公益基金会:
    '以“议事坊”为载体，在各社区组建居民议事骨干队伍，开展12期协商议事培训和6次示范议事会，形成议事规则手册。',
  南京市江宁区安心养老服务中心: '依托社区为老服务网络，引导老年居民参与社区议事，每季度开展专题协商并跟踪落实。',
  成都市温江区同心社会工作服务中心:
    '由持证社工驻点，采用开放空间和世界咖啡等参与式方法，培育居民自组织并建立议事台账。',
};

/** Submitted bids on a call (the organizations and prices given), with sensible demo text. */
async function makeBids(
  trx: Knex.Transaction,
  config: Config,
  callId: number,
  bids: { org: string; priceYuan: number; submittedAt: Date }[],
  now: Date,
) {
  const orgs = Object.fromEntries((await trx('organizations').select('id', 'name')).map((r) => [r.name, Number(r.id)]));
  for (const b of bids) {
    if (!orgs[b.org]) continue;
    const staff = await trx('users').where({ organization_id: orgs[b.org], role: 'org_staff' }).first('id');
    const bidId = await insertId(trx, 'bids', {
      call_id: callId,
      organization_id: orgs[b.org],
      status: 'submitted',
      price_fen: yuan(b.priceYuan),
      matching_funds_fen: 0,
      service_plan: PLANS[b.org] ?? '服务方案见附件。',
      staffing: '项目负责人1名（中级社工师），专职社工2名，志愿者10名。',
      schedule: '第1个月调研与方案细化；第2—10个月实施；第11—12个月总结评估。',
      expected_outcomes: '服务对象满意度不低于90%，形成可推广的工作手册。',
      submitted_at: b.submittedAt.toISOString(),
      created_by: staff?.id ?? null,
      updated_by: staff?.id ?? null,
      created_at: b.submittedAt.toISOString(),
      updated_at: now.toISOString(),
    });
    // Reviewers read the whole bid: a budget table adding up to the price, and the proposal PDF.
    const staffCost = Math.round(b.priceYuan * 0.7);
    await trx('bid_budget_lines').insert([
      { bid_id: bidId, position: 1, item: '人员经费', amount_fen: yuan(staffCost) },
      { bid_id: bidId, position: 2, item: '活动与物料', amount_fen: yuan(b.priceYuan - staffCost) },
    ]);
    if (staff) {
      const buffer = await demoPdf(b.org, PLANS[b.org] ?? '服务方案见附件。', now);
      const stored = await storeFile(
        trx,
        config.uploadDir,
        { originalname: '项目方案书.pdf', buffer, size: buffer.length } as Express.Multer.File,
        'proposal',
        Number(staff.id),
        now,
      );
      await trx('bid_files').insert({
        bid_id: bidId,
        file_id: stored.id,
        kind: 'proposal',
        created_at: b.submittedAt.toISOString(),
      });
    }
  }
}

const COMMENTS = [
  '方案针对性强，措施具体可行。',
  '团队配置合理，持证社工比例较高。',
  '有同类项目经验，业绩可查。',
  '报价与工作量基本匹配。',
  '整体表现良好。',
  '建议进一步细化考核指标。',
];

/** Scores a reviewer gives each bid: one list per bid in submission order, cycled if there are more. */
function sheetFor(criteria: { id: number }[], scores: number[]) {
  return new Map(
    criteria.map((c, i) => [c.id, { score: scores[i % scores.length], comment: COMMENTS[i % COMMENTS.length] }]),
  );
}

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const db = trx as unknown as Knex;
  const zhang = await sessionUser(trx, 'reviewer.zhang');
  const li = await sessionUser(trx, 'reviewer.li');
  if (!zhang || !li) return;
  const step = (at: Date) => ({ db, clock: { now: () => at } });

  // 1. The call whose deadline has passed: opened, scored and closed.
  const closed = await trx('calls')
    .where({ status: 'published' })
    .where('closes_at', '<=', now.toISOString())
    .orderBy('closes_at')
    .first('id', 'street_office_id', 'closes_at');
  if (closed) {
    const closesAt = new Date(closed.closes_at);
    if (!(await trx('bids').where({ call_id: closed.id, status: 'submitted' }).first('id'))) {
      await makeBids(
        trx,
        config,
        Number(closed.id),
        [
          {
            org: '湖州市吴兴区绿荫公益基金会',
            priceYuan: 168_000,
            submittedAt: new Date(closesAt.getTime() - 5 * DAY),
          },
          {
            org: '成都市温江区同心社会工作服务中心',
            priceYuan: 172_000,
            submittedAt: new Date(closesAt.getTime() - 3 * DAY),
          },
          {
            org: '南京市江宁区安心养老服务中心',
            priceYuan: 175_000,
            submittedAt: new Date(closesAt.getTime() - 2 * DAY),
          },
        ],
        now,
      );
    }
    const manager = await trx('users')
      .where({ street_office_id: closed.street_office_id, role: 'manager' })
      .orderBy('id')
      .first('username');
    const mgr = manager ? await sessionUser(trx, manager.username) : null;
    if (mgr) {
      const t0 = Math.min(closesAt.getTime() + 2 * HOUR, now.getTime());
      const at = (ms: number) => new Date(Math.min(t0 + ms, now.getTime()));
      const callId = Number(closed.id);
      const bids = await review.openBids(step(at(0)), userActor(mgr), mgr, callId);
      for (const r of [zhang, li]) await review.assignReviewer(step(at(HOUR)), userActor(mgr), mgr, callId, r.id);
      const criteria = (await trx('call_criteria').where({ call_id: callId }).orderBy('position').select('id')).map(
        (c) => ({ id: Number(c.id) }),
      );
      // zhang and li agree on the first bid; the second and third tie exactly (82.18), the cheaper first.
      const scores: Record<number, number[][]> = {
        [zhang.id]: [
          [92, 88, 85, 80],
          [85, 80, 78, 85],
          [80, 85, 82, 80],
        ],
        [li.id]: [
          [88, 90, 80, 85],
          [80, 82, 85, 82],
          [85, 80, 80, 84],
        ],
      };
      for (const r of [zhang, li]) {
        for (const [i, bid] of bids.entries()) {
          await review.declare(step(at(DAY)), userActor(r), r, callId, bid.id, { hasConflict: false, note: null });
          await review.saveSheet(
            step(at(DAY + HOUR)),
            userActor(r),
            r,
            callId,
            bid.id,
            sheetFor(criteria, scores[r.id][i % 3]),
          );
        }
      }
      if (bids.length) await review.closeScoring(step(at(DAY + 3 * HOUR)), userActor(mgr), mgr, callId);
    }
  }

  // 2. A call of 东山街道 closed a day ago, opened, scoring still open.
  const street = await trx('street_offices').where({ name: '东山街道' }).first('id');
  const mgr = await sessionUser(trx, 'manager.dongshan');
  const item = await trx('catalog_items').where({ code: 'JZ-2026-01', year: 2026 }).first('id');
  if (!street || !mgr || !item) return;
  const closesAt = new Date(Math.floor((now.getTime() - DAY) / HOUR) * HOUR);
  const amounts = [{ source: 'fiscal' as const, amountFen: yuan(160_000) }];
  const callId = await insertId(trx, 'calls', {
    street_office_id: street.id,
    catalog_item_id: item.id,
    title: '东山街道困难家庭个案帮扶服务项目',
    description: '为东山街道约120户低保、低边家庭提供个案管理、资源链接和就业指导，服务期一年。',
    funding_mode: 'project_purchase',
    method: 'contract_outsourcing',
    budget_fen: yuan(160_000),
    budget_year: 2026,
    per_project_cap_fen: null,
    opens_at: new Date(closesAt.getTime() - 30 * DAY).toISOString(),
    closes_at: closesAt.toISOString(),
    weight_self: 10,
    weight_manager: 30,
    weight_peer: 10,
    weight_citizen: 20,
    weight_third_party: 30,
    publicity_days: 7,
    status: 'published',
    published_at: new Date(closesAt.getTime() - 31 * DAY).toISOString(),
    created_by: mgr.id,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  });
  await trx('call_fund_sources').insert(
    amounts.map((a) => ({ call_id: callId, source: a.source, amount_fen: a.amountFen })),
  );
  await trx('call_criteria').insert(
    [
      ['个案评估与服务方案', 40],
      ['社工团队与督导机制', 30],
      ['资源链接能力', 10],
      ['报价合理性', 20],
    ].map(([name, weight], i) => ({ call_id: callId, position: i + 1, name, weight })),
  );
  await reserveForCall(trx, { streetOfficeId: Number(street.id), year: 2026, callId, amounts, userId: mgr.id, now });
  await makeBids(
    trx,
    config,
    callId,
    [
      { org: '南京市江宁区安心养老服务中心', priceYuan: 152_000, submittedAt: new Date(closesAt.getTime() - 4 * DAY) },
      {
        org: '成都市温江区同心社会工作服务中心',
        priceYuan: 149_500,
        submittedAt: new Date(closesAt.getTime() - 2 * DAY),
      },
    ],
    now,
  );
  const opened = new Date(closesAt.getTime() + 2 * HOUR);
  const bids = await review.openBids(step(opened), userActor(mgr), mgr, callId);
  for (const r of [zhang, li])
    await review.assignReviewer(step(new Date(opened.getTime() + HOUR)), userActor(mgr), mgr, callId, r.id);
  const criteria = (await trx('call_criteria').where({ call_id: callId }).orderBy('position').select('id')).map(
    (c) => ({ id: Number(c.id) }),
  );
  if (bids[0]) {
    const later = step(new Date(opened.getTime() + 3 * HOUR));
    await review.declare(later, userActor(zhang), zhang, callId, bids[0].id, { hasConflict: false, note: null });
    await review.saveSheet(later, userActor(zhang), zhang, callId, bids[0].id, sheetFor(criteria, [86, 82, 78, 84]));
  }
}
