import type { SeedContext } from '../src/db/seed';
import type { Knex } from 'knex';
import crypto from 'node:crypto';
import { userActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { assignAssessor, declareAsAssessor, scoreAsAssessor } from '../src/modules/evaluations/assessors';
import { closeEvaluation, scoreAsManager } from '../src/modules/evaluations/evaluation';
import { combineIndicators, indicatorsOf } from '../src/modules/evaluations/indicators';
import { openRound } from '../src/modules/evaluations/ratings';
import type { ReportInput } from '../src/modules/evaluations/schemas';
import { saveReport } from '../src/modules/evaluations/service';
import { PdfWriter } from '../src/pdf';

// Demo reports and evaluations on 安心养老's DS-2026-0001, through the services (audit trail,
// notifications, the stored assessment report are what the app writes):
// - the mid-term milestone (seq 2): report submitted six days ago with a photo and a sign-in sheet;
//   a citizen round of a dozen ratings; the peer (同心社工) and the third party (reviewer.zhang)
//   declared and scored; manager.dongshan scored each indicator and closed the evaluation two days
//   ago (its assessment PDF is stored; the organization may still ask for a review);
// - the second mid-term (seq 3): report submitted yesterday, waiting for evaluation, with an open
//   citizen rating round (its printable QR page is linked from the report page);
// - the final milestone (seq 4) is not yet due.
const DAY = 24 * 60 * 60 * 1000;

/** A 1×1 PNG, so the demo photo opens in a viewer. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The sign-in sheet drawn with the app's PDF layer, so it opens in a reader and passes the upload check. */
async function signInSheet(at: Date): Promise<Buffer> {
  const w = await PdfWriter.create({ title: '活动签到记录', identifier: 'DS-2026-0001', createdAt: at.toISOString() });
  w.title('活动签到记录', ['南京市江宁区安心养老服务中心']);
  w.heading('读书会与智能手机课堂');
  w.paragraph('共 43 场，签到 318 人次（示例数据）。');
  return w.finish();
}

const upload = (name: string, buffer: Buffer, mimetype: string) =>
  ({ fieldname: 'files', originalname: name, buffer, size: buffer.length, mimetype }) as Express.Multer.File;

async function sessionUser(trx: Knex.Transaction, username: string): Promise<SessionUser | null> {
  const u = await trx('users')
    .where({ username })
    .first('id', 'username', 'display_name', 'role', 'street_office_id', 'organization_id');
  if (!u) return null;
  const streetOfficeId = u.street_office_id === null ? null : Number(u.street_office_id);
  const organizationId = u.organization_id === null ? null : Number(u.organization_id);
  return {
    id: Number(u.id),
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    streetOfficeId,
    streetOfficeName: null,
    organizationId,
    organizationName: null,
    streetOfficeIds: streetOfficeId ? [streetOfficeId] : [],
  };
}

const MIDTERM: Omit<ReportInput, 'delivered'> = {
  peopleServed: 318,
  sessionsHeld: 43,
  problems: '七月高温期间两场户外活动改为室内，另有一场因场地冲突顺延一周。',
  selfScore: 8800,
  selfComment: '场次超过计划，老人参与积极；宣传覆盖面仍可扩大。',
  removeFileIds: [],
};

/** A dozen citizens' stars and comments (5×6, 4×4, 3×2: citizen score 83.33). */
const RATINGS: [number, string | null][] = [
  [5, '老师讲得很耐心，学会了用手机挂号。'],
  [5, null],
  [5, '希望多开几场。'],
  [5, null],
  [5, null],
  [5, '读书会气氛很好。'],
  [4, null],
  [4, '活动室有点挤。'],
  [4, null],
  [4, null],
  [3, '通知来得晚了。'],
  [3, null],
];

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const contract = await trx('contracts').where({ number: 'DS-2026-0001', status: 'active' }).first('id');
  const staff = await sessionUser(trx, 'org.anxin');
  const manager = await sessionUser(trx, 'manager.dongshan');
  const peerStaff = await sessionUser(trx, 'org.tongxin');
  const reviewer = await sessionUser(trx, 'reviewer.zhang');
  if (!contract || !staff || !manager || !peerStaff || !reviewer) return;
  const contractId = Number(contract.id);
  const at = (offset: number) => {
    const when = new Date(now.getTime() + offset);
    return { db: trx as unknown as Knex, clock: { now: () => when }, config };
  };

  // Mid-term (seq 2): the report, the citizens, the peer and third party, the manager, closed.
  await saveReport(
    at(-6 * DAY),
    userActor(staff),
    staff,
    contractId,
    2,
    {
      ...MIDTERM,
      delivered: [
        {
          deliverable: '开展读书会与智能手机课堂不少于40场，提交中期报告和活动签到记录。',
          delivered: '已开展读书会 22 场、智能手机课堂 21 场，共 43 场；签到记录与中期报告随附。',
        },
      ],
    },
    [
      upload('读书会现场照片.png', PHOTO, 'image/png'),
      upload('活动签到记录.pdf', await signInSheet(new Date(now.getTime() - 6 * DAY)), 'application/pdf'),
    ],
    true,
  );
  const round = await openRound(
    at(-10 * DAY),
    userActor(manager),
    manager,
    contractId,
    2,
    new Date(now.getTime() - 3 * DAY),
  );
  await trx('citizen_ratings').insert(
    RATINGS.map(([stars, comment], i) => ({
      round_id: round.id,
      stars,
      comment,
      browser_id: crypto.randomBytes(16).toString('hex'),
      created_at: new Date(now.getTime() - 9 * DAY + i * 3 * 60 * 60 * 1000).toISOString(),
    })),
  );
  const indicators = await indicatorsOf(trx, contractId);
  const managerScores = indicators.map((ind, i) => ({ ...ind, score: [8600, 8200, 9000, 7800, 8400][i % 5] }));
  const thirdScores = indicators.map((ind, i) => ({ ...ind, score: [8000, 8500, 8800, 7600, 8200][i % 5] }));
  await assignAssessor(at(-5 * DAY), userActor(manager), manager, contractId, 2, 'peer', peerStaff.organizationId!);
  await assignAssessor(at(-5 * DAY), userActor(manager), manager, contractId, 2, 'third_party', reviewer.id);
  await declareAsAssessor(at(-4 * DAY), userActor(peerStaff), peerStaff, contractId, 2, false);
  await scoreAsAssessor(
    at(-4 * DAY),
    userActor(peerStaff),
    peerStaff,
    contractId,
    2,
    8500,
    '活动组织规范，志愿者培育可再加强。',
  );
  await declareAsAssessor(at(-3 * DAY), userActor(reviewer), reviewer, contractId, 2, false);
  await scoreAsAssessor(
    at(-3 * DAY),
    userActor(reviewer),
    reviewer,
    contractId,
    2,
    indicators.length ? combineIndicators(thirdScores) : 8200,
    '现场核查台账完整，服务对象满意度较高；建议补充活动影像资料。',
    indicators.length ? thirdScores : [],
  );
  await scoreAsManager(
    at(-2 * DAY),
    userActor(manager),
    manager,
    contractId,
    2,
    indicators.length ? combineIndicators(managerScores) : 8500,
    '按计划完成中期任务，台账齐全。',
    indicators.length ? managerScores : [],
  );
  await closeEvaluation(at(-2 * DAY), userActor(manager), manager, contractId, 2);

  // Second mid-term (seq 3): submitted yesterday, waiting; its citizen round is open.
  await saveReport(
    at(-DAY),
    userActor(staff),
    staff,
    contractId,
    3,
    {
      ...MIDTERM,
      peopleServed: 205,
      sessionsHeld: 31,
      problems: null,
      selfScore: 8600,
      selfComment: '志愿者讲师已培育 11 名，活动累计 74 场。',
      delivered: [
        {
          deliverable: '累计开展活动不少于70场，培育老年志愿者讲师不少于10名，提交阶段报告。',
          delivered: '累计开展活动 74 场，培育老年志愿者讲师 11 名；阶段报告随附。',
        },
      ],
    },
    [upload('志愿者讲师合影.png', PHOTO, 'image/png')],
    true,
  );
  const open = await openRound(
    at(-DAY),
    userActor(manager),
    manager,
    contractId,
    3,
    new Date(now.getTime() + 14 * DAY),
  );
  await trx('citizen_ratings').insert(
    RATINGS.slice(0, 4).map(([stars, comment], i) => ({
      round_id: open.id,
      stars,
      comment,
      browser_id: crypto.randomBytes(16).toString('hex'),
      created_at: new Date(now.getTime() - 20 * 60 * 60 * 1000 + i * 60 * 60 * 1000).toISOString(),
    })),
  );
}
