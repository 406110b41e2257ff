import type { SeedContext } from '../src/db/seed';
import type { Knex } from 'knex';
import { systemActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { saveReport } from '../src/modules/evaluations/service';
import { PdfWriter } from '../src/pdf';

// Demo milestone report, through the service (audit trail, notifications and evaluation opening are
// what the app writes): 安心养老 submitted its mid-term progress report on DS-2026-0001 yesterday,
// with a photo and a sign-in sheet; it waits for manager.dongshan's evaluation (open from the
// contract page or the dashboard).

const DAY = 24 * 60 * 60 * 1000;

/** A 1×1 PNG, so the demo photo opens in a viewer. */
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** The sign-in sheet drawn with the app's PDF layer, so it opens in a reader and passes the upload check. */
async function signInSheet(at: Date): Promise<Buffer> {
  const w = await PdfWriter.create({ title: '活动签到记录', identifier: 'DS-2026-0001', createdAt: at.toISOString() });
  w.title('活动签到记录', ['南京市江宁区安心养老服务中心']);
  w.heading('读书会与智能手机课堂');
  w.paragraph('共 43 场，签到 318 人次（示例数据）。');
  return w.finish();
}

const upload = (name: string, buffer: Buffer, mimetype: string) => ({ fieldname: 'files', originalname: name, buffer, size: buffer.length, mimetype }) as Express.Multer.File;

export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const contract = await trx('contracts').where({ number: 'DS-2026-0001', status: 'active' }).first('id');
  const staff = await trx('users').where({ username: 'org.anxin' }).first('id', 'username', 'display_name', 'organization_id');
  if (!contract || !staff) return;
  const user: SessionUser = { id: Number(staff.id), username: staff.username, displayName: staff.display_name, role: 'org_staff', streetOfficeId: null, streetOfficeName: null, organizationId: Number(staff.organization_id), organizationName: null, streetOfficeIds: [] };
  const when = new Date(now.getTime() - DAY);
  const deps = { db: trx as unknown as Knex, clock: { now: () => when }, config };
  await saveReport(
    deps,
    systemActor,
    user,
    Number(contract.id),
    2,
    {
      delivered: [{ deliverable: '开展读书会与智能手机课堂不少于40场，提交中期报告和活动签到记录。', delivered: '已开展读书会 22 场、智能手机课堂 21 场，共 43 场；签到记录与中期报告随附。' }],
      peopleServed: 318,
      sessionsHeld: 43,
      problems: '七月高温期间两场户外活动改为室内，另有一场因场地冲突顺延一周。',
      selfScore: 8800,
      selfComment: '场次超过计划，老人参与积极；宣传覆盖面仍可扩大。',
      removeFileIds: [],
    },
    [upload('读书会现场照片.png', PHOTO, 'image/png'), upload('活动签到记录.pdf', await signInSheet(when), 'application/pdf')],
    true,
  );
}
