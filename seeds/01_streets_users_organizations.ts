import bcrypt from 'bcryptjs';
import type { SeedContext } from '../src/db/seed';
import { withCheckChar } from '../src/shared/credit-code';
import { DEMO_PASSWORD } from './demo-accounts';

/** A street office in each pilot area of the source document, organizations, and a user for every role. */
export async function seed({ trx, now, config }: SeedContext): Promise<void> {
  const at = now.toISOString();
  const stamps = { created_at: at, updated_at: at };
  const streets = [
    { name: '东山街道', district: '南京市江宁区' },
    { name: '柳城街道', district: '成都市温江区' },
    { name: '月河街道', district: '湖州市吴兴区' },
  ];
  await trx('street_offices').insert(streets.map((s) => ({ ...s, ...stamps })));
  const streetId = Object.fromEntries(
    (await trx('street_offices').select('id', 'name')).map((r) => [r.name, Number(r.id)]),
  );

  // Registration authority 5 = civil affairs; type 1 social group, 2 social service agency, 3 foundation.
  const organizations = [
    { name: '南京市江宁区安心养老服务中心', credit_code: withCheckChar('52320115MJ5412345'), status: 'approved' },
    { name: '成都市温江区同心社会工作服务中心', credit_code: withCheckChar('52510115MJ6623451'), status: 'approved' },
    { name: '湖州市吴兴区绿荫公益基金会', credit_code: withCheckChar('53330502MJ7734562'), status: 'approved' },
    { name: '江宁区邻里互助协会', credit_code: withCheckChar('51320115MJ5598760'), status: 'pending' },
  ];
  await trx('organizations').insert(organizations.map((o) => ({ ...o, ...stamps })));
  const orgId = Object.fromEntries(
    (await trx('organizations').select('id', 'name')).map((r) => [r.name, Number(r.id)]),
  );

  // One hash for every demo account: they share the demo password, and hashing is deliberately slow.
  const passwordHash = await bcrypt.hash(DEMO_PASSWORD, config.bcryptRounds);
  const user = (username: string, display_name: string, role: string, extra: Record<string, number | null> = {}) => ({
    username,
    display_name,
    role,
    password_hash: passwordHash,
    street_office_id: null,
    organization_id: null,
    disabled_at: null,
    ...extra,
    ...stamps,
  });
  await trx('users').insert([
    user('admin', '区民政局管理员', 'admin'),
    user('manager.dongshan', '陈静（东山街道项目主管）', 'manager', { street_office_id: streetId['东山街道'] }),
    user('approver.dongshan', '刘洋（东山街道审批人）', 'approver', { street_office_id: streetId['东山街道'] }),
    user('manager.liucheng', '王芳（柳城街道项目主管）', 'manager', { street_office_id: streetId['柳城街道'] }),
    user('manager.yuehe', '沈磊（月河街道项目主管）', 'manager', { street_office_id: streetId['月河街道'] }),
    user('reviewer.zhang', '张教授（评审专家）', 'reviewer'),
    user('reviewer.li', '李会计师（第三方评估）', 'reviewer'),
    user('auditor.wang', '王审计（区审计局）', 'auditor'),
    user('org.anxin', '赵敏（安心养老）', 'org_staff', { organization_id: orgId['南京市江宁区安心养老服务中心'] }),
    user('org.tongxin', '周强（同心社工）', 'org_staff', {
      organization_id: orgId['成都市温江区同心社会工作服务中心'],
    }),
    user('org.lvyin', '吴婷（绿荫基金会）', 'org_staff', { organization_id: orgId['湖州市吴兴区绿荫公益基金会'] }),
  ]);
  const auditor = await trx('users').where({ username: 'auditor.wang' }).first('id');
  await trx('user_street_offices').insert(
    Object.values(streetId).map((id) => ({ user_id: auditor.id, street_office_id: id })),
  );
}
