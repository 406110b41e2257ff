import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { userActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { confirmAward, proposeAward } from '../src/modules/awards/service';
import { reserveForCall } from '../src/modules/funds/reservations';
import * as review from '../src/modules/reviews/service';
import { createContract, saveDraft } from '../src/modules/contracts/service/drafting';
import { acceptContract, sendContract, signContract } from '../src/modules/contracts/service/signing';
import { mf } from '../src/modules/contracts/terms';
import { toShanghaiInput } from '../src/shared/time';
import { fenToInput } from '../src/shared/money';

// Demo contracts, driven through the services (so the audit trail, notifications and fund ledger
// are what the app writes). The street offices get their short codes, legal representatives and
// addresses; a 东山街道 venture call (separate from the 月河 award that stays in publicity) is
// reviewed, awarded to two proposals and confirmed 18 days ago; then
// - 安心养老's contract DS-2026-0001 is signed: an advance and three milestones (four rows), the first mid-term one due in 5 days;
// - 同心社工's contract DS-2026-0002 was sent two days ago and waits for org.tongxin to accept or return it.

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const yuan = (n: number) => n * 100;

const STREETS: Record<string, { short_code: string; legal_representative: string; address: string }> = {
  东山街道: { short_code: 'DS', legal_representative: '李建国', address: '南京市江宁区东山街道上元大街 398 号' },
  柳城街道: { short_code: 'LC', legal_representative: '杨晓红', address: '成都市温江区柳城街道光华大道三段 1588 号' },
  月河街道: { short_code: 'YH', legal_representative: '徐志明', address: '湖州市吴兴区月河街道红旗路 168 号' },
};

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

async function insertId(trx: Knex.Transaction, table: string, row: Record<string, unknown>): Promise<number> {
  const [inserted] = await trx(table).insert(row).returning('id');
  return Number(typeof inserted === 'object' ? inserted.id : inserted);
}

const date = (d: Date) => toShanghaiInput(d).slice(0, 10);

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  for (const [name, columns] of Object.entries(STREETS)) await trx('street_offices').where({ name }).update(columns);

  const mgr = await sessionUser(trx, 'manager.dongshan');
  const zhang = await sessionUser(trx, 'reviewer.zhang');
  const li = await sessionUser(trx, 'reviewer.li');
  const anxin = await sessionUser(trx, 'org.anxin');
  const tongxin = await sessionUser(trx, 'org.tongxin');
  const item = await trx('catalog_items').where({ code: 'WJ-2026-01', year: 2026 }).first('id');
  if (!mgr || !zhang || !li || !anxin || !tongxin || !item || !mgr.streetOfficeId) return;
  const db = trx as unknown as Knex;
  const at = (offset: number) => new Date(Math.floor((now.getTime() + offset) / HOUR) * HOUR);
  const step = (d: Date) => ({ db, clock: { now: () => d }, config });

  const closesAt = at(-28 * DAY);
  const amounts = [
    { source: 'fiscal' as const, amountFen: yuan(150_000) },
    { source: 'lottery' as const, amountFen: yuan(50_000) },
  ];
  const callId = await insertId(trx, 'calls', {
    street_office_id: mgr.streetOfficeId,
    catalog_item_id: item.id,
    title: '东山街道2026年社区公益微创投',
    description: '资助社区社会组织开展亲子阅读、社区公益课堂和为老服务类微项目，择优资助两个项目。',
    funding_mode: 'project_subsidy',
    method: 'venture',
    budget_fen: yuan(200_000),
    budget_year: 2026,
    per_project_cap_fen: yuan(120_000),
    opens_at: new Date(closesAt.getTime() - 30 * DAY).toISOString(),
    closes_at: closesAt.toISOString(),
    weight_self: 10,
    weight_manager: 30,
    weight_peer: 10,
    weight_citizen: 20,
    weight_third_party: 30,
    publicity_days: 7,
    max_advance_percent: 30,
    status: 'published',
    published_at: new Date(closesAt.getTime() - 31 * DAY).toISOString(),
    created_by: mgr.id,
    created_at: new Date(closesAt.getTime() - 32 * DAY).toISOString(),
    updated_at: new Date(closesAt.getTime() - 31 * DAY).toISOString(),
  });
  await trx('call_fund_sources').insert(
    amounts.map((a) => ({ call_id: callId, source: a.source, amount_fen: a.amountFen })),
  );
  await trx('call_criteria').insert(
    [
      ['需求分析与项目创新性', 35],
      ['实施计划与可持续性', 35],
      ['团队能力', 15],
      ['预算合理性', 15],
    ].map(([name, weight], i) => ({ call_id: callId, position: i + 1, name, weight })),
  );
  await reserveForCall(trx, {
    streetOfficeId: mgr.streetOfficeId,
    year: 2026,
    callId,
    amounts,
    userId: mgr.id,
    now: new Date(closesAt.getTime() - 31 * DAY),
  });

  const bids = [
    {
      user: anxin,
      price: 120_000,
      plan: '“银龄书房”：在三个社区开设老年读书会和智能手机课堂，每月8场，培育老年志愿者讲师队伍。',
    },
    {
      user: tongxin,
      price: 80_000,
      plan: '“四点半课堂”：为双职工家庭儿童提供课后阅读陪伴和公益课堂，每周3次，链接高校志愿者。',
    },
  ];
  for (const [i, b] of bids.entries()) {
    const submitted = new Date(closesAt.getTime() - (5 - i) * DAY).toISOString();
    await insertId(trx, 'bids', {
      call_id: callId,
      organization_id: b.user.organizationId,
      status: 'submitted',
      price_fen: yuan(b.price),
      matching_funds_fen: 0,
      service_plan: b.plan,
      staffing: '项目负责人1名（中级社工师），专职社工2名，志愿者12名。',
      schedule: '第1个月招募与调研；第2—10个月实施；第11—12个月总结评估。',
      expected_outcomes: '服务对象满意度不低于90%，形成可推广的活动手册。',
      submitted_at: submitted,
      created_by: b.user.id,
      updated_by: b.user.id,
      created_at: submitted,
      updated_at: submitted,
    });
  }

  const opened = await review.openBids(step(at(-28 * DAY + 2 * HOUR)), userActor(mgr), mgr, callId);
  for (const r of [zhang, li])
    await review.assignReviewer(step(at(-28 * DAY + 3 * HOUR)), userActor(mgr), mgr, callId, r.id);
  const criteria = (await trx('call_criteria').where({ call_id: callId }).orderBy('position').select('id')).map((c) =>
    Number(c.id),
  );
  const scores = [
    [90, 88, 85, 86],
    [84, 85, 80, 88],
  ];
  for (const r of [zhang, li]) {
    for (const [i, bid] of opened.entries()) {
      await review.declare(step(at(-27 * DAY)), userActor(r), r, callId, bid.id, { hasConflict: false, note: null });
      await review.saveSheet(
        step(at(-27 * DAY + HOUR)),
        userActor(r),
        r,
        callId,
        bid.id,
        new Map(criteria.map((c, k) => [c, { score: scores[i % 2][k], comment: '方案具体可行。' }])),
      );
    }
  }
  await review.closeScoring(step(at(-27 * DAY + 3 * HOUR)), userActor(mgr), mgr, callId);
  const ranked = await trx('bids').where({ call_id: callId }).orderBy('submitted_at').select('id', 'ref', 'price_fen');
  const body: Record<string, string> = {};
  for (const b of ranked) {
    body[`select_${b.ref}`] = '1';
    body[`amount_${b.ref}`] = fenToInput(Number(b.price_fen));
  }
  const awardId = await proposeAward(step(at(-26 * DAY)), userActor(mgr), mgr, callId, body);
  await confirmAward(step(at(-18 * DAY)), userActor(mgr), mgr, awardId);

  const items = await trx('award_items as i')
    .join('bids as b', 'b.id', 'i.bid_id')
    .where('i.award_id', awardId)
    .orderBy('i.rank')
    .select('i.id', 'b.organization_id');
  const itemOf = (orgId: number | null) => Number(items.find((i) => Number(i.organization_id) === orgId)!.id);

  // 1. Signed: an advance (30%), a mid-term evaluation due in five days (30%), a second mid-term (20%) and a final evaluation (20%).
  const signedId = await createContract(
    step(at(-17 * DAY)),
    userActor(mgr),
    mgr,
    awardId,
    itemOf(anxin.organizationId),
  );
  const start = at(-14 * DAY);
  const end = new Date(start.getTime() + 364 * DAY);
  const terms: Record<string, string> = {
    periodStart: date(start),
    periodEnd: date(end),
    servicePlan: bids[0].plan,
    shareUnit: 'percent',
    rows: '4',
    [mf(1, 'title')]: '首期款（预付款）',
    [mf(1, 'deliverables')]: '签订合同后支付，用于项目启动。',
    [mf(1, 'due')]: date(start),
    [mf(1, 'share')]: '30',
    [mf(1, 'advance')]: '1',
    [mf(2, 'title')]: '中期评估',
    [mf(2, 'deliverables')]: '开展读书会与智能手机课堂不少于40场，提交中期报告和活动签到记录。',
    [mf(2, 'due')]: date(at(5 * DAY)),
    [mf(2, 'share')]: '30',
    [mf(2, 'pass')]: '70',
    [mf(2, 'rule')]: 'pro_rata',
    [mf(2, 'floor')]: '60',
    [mf(3, 'title')]: '第二次中期评估',
    [mf(3, 'deliverables')]: '累计开展活动不少于70场，培育老年志愿者讲师不少于10名，提交阶段报告。',
    [mf(3, 'due')]: date(new Date(start.getTime() + 240 * DAY)),
    [mf(3, 'share')]: '20',
    [mf(3, 'pass')]: '70',
    [mf(4, 'title')]: '末期评估',
    [mf(4, 'deliverables')]: '全年活动不少于96场，提交结项报告、服务对象满意度调查和活动手册。',
    [mf(4, 'due')]: date(end),
    [mf(4, 'share')]: '20',
    [mf(4, 'pass')]: '75',
    [mf(4, 'w_self')]: '10',
    [mf(4, 'w_manager')]: '20',
    [mf(4, 'w_peer')]: '10',
    [mf(4, 'w_citizen')]: '30',
    [mf(4, 'w_third_party')]: '30',
  };
  await saveDraft(step(at(-17 * DAY + HOUR)), userActor(mgr), mgr, signedId, terms);
  await sendContract(step(at(-16 * DAY)), userActor(mgr), mgr, signedId);
  await acceptContract(step(at(-15 * DAY)), userActor(anxin), anxin, signedId);
  await signContract(step(at(-14 * DAY)), userActor(mgr), mgr, signedId);

  // 2. Sent two days ago, waiting for 同心社工 (its window closes in twelve days).
  const waitingId = await createContract(
    step(at(-3 * DAY)),
    userActor(mgr),
    mgr,
    awardId,
    itemOf(tongxin.organizationId),
  );
  await sendContract(step(at(-2 * DAY)), userActor(mgr), mgr, waitingId);
}
