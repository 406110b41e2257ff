import type { Knex } from 'knex';
import type { SeedContext } from '../src/db/seed';
import { userActor } from '../src/audit/audit';
import type { SessionUser } from '../src/modules/accounts/roles';
import { answerFinding, recordFinding } from '../src/modules/reports/findings';

// Demo findings (审计意见), through the service (audit trail and notifications as the app writes
// them): auditor.wang asked about the advance of DS-2026-0001 two days ago and manager.dongshan
// answered yesterday; a finding on 东山街道's 2026 funds is still open.

const DAY = 24 * 60 * 60 * 1000;

function sessionUser(
  row: {
    id: number;
    username: string;
    display_name: string;
    role: SessionUser['role'];
    street_office_id: number | null;
  },
  streetOfficeIds: number[],
): SessionUser {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    streetOfficeId: row.street_office_id === null ? null : Number(row.street_office_id),
    streetOfficeName: null,
    organizationId: null,
    organizationName: null,
    streetOfficeIds,
  };
}

export async function seed({ trx, now }: SeedContext): Promise<void> {
  const contract = await trx('contracts').where({ number: 'DS-2026-0001' }).first('id', 'street_office_id');
  const auditor = await trx('users')
    .where({ username: 'auditor.wang' })
    .first('id', 'username', 'display_name', 'role', 'street_office_id');
  const manager = await trx('users')
    .where({ username: 'manager.dongshan' })
    .first('id', 'username', 'display_name', 'role', 'street_office_id');
  if (!contract || !auditor || !manager) return;
  const streets = (await trx('user_street_offices').where({ user_id: auditor.id }).pluck('street_office_id')).map(
    Number,
  );
  const a = sessionUser(auditor, streets);
  const m = sessionUser(manager, [Number(manager.street_office_id)]);
  const at = (t: number) => ({ db: trx as unknown as Knex, clock: { now: () => new Date(t) } });
  const first = await recordFinding(at(now.getTime() - 2 * DAY), userActor(a), a, {
    subject_type: 'contract',
    subject_id: Number(contract.id),
    street: undefined,
    year: undefined,
    title: '首期款支付依据',
    body: '请说明 DS-2026-0001 首期款（30%）的支付依据，并提供乙方的收款确认。',
  });
  await answerFinding(
    at(now.getTime() - DAY),
    userActor(m),
    m,
    first,
    '首期款按合同第三条在签订后支付，乙方收款确认已归档（附件见合同档案）。',
  );
  await recordFinding(at(now.getTime() - DAY / 2), userActor(a), a, {
    subject_type: 'street_year',
    subject_id: undefined,
    street: Number(contract.street_office_id),
    year: new Date(now.getTime() + 8 * 3600_000).getUTCFullYear(),
    title: '年度专项资金使用进度',
    body: '东山街道本年度专项资金已承诺比例较高，请说明下半年新增项目的资金安排。',
  });
}
