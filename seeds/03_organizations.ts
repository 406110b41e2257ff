import type { SeedContext } from '../src/db/seed';
import { withCheckChar } from '../src/shared/credit-code';

/** Profiles and service categories of the demo organizations (inserted by 01), and one rejected
 *  applicant so that every review status can be explored. */
export async function seed({ trx, now }: SeedContext): Promise<void> {
  const at = now.toISOString();
  const profiles: Record<string, Record<string, string | number>> = {
    南京市江宁区安心养老服务中心: {
      org_type: 'social_service_agency',
      legal_representative: '赵建国',
      contact_person: '赵敏',
      contact_phone: '025-5212 3456',
      contact_email: 'anxin@example.org',
      founded_on: '2014-03-18',
      certified_social_workers: 12,
    },
    成都市温江区同心社会工作服务中心: {
      org_type: 'social_service_agency',
      legal_representative: '周丽',
      contact_person: '周强',
      contact_phone: '028-8267 5521',
      contact_email: 'tongxin@example.org',
      founded_on: '2016-09-01',
      certified_social_workers: 21,
    },
    湖州市吴兴区绿荫公益基金会: {
      org_type: 'foundation',
      legal_representative: '吴文华',
      contact_person: '吴婷',
      contact_phone: '0572-233 8899',
      founded_on: '2012-11-06',
      certified_social_workers: 3,
    },
    江宁区邻里互助协会: {
      org_type: 'social_group',
      legal_representative: '孙玉兰',
      contact_person: '孙玉兰',
      contact_phone: '139 1234 5678',
      founded_on: '2021-05-20',
      certified_social_workers: 0,
    },
  };
  const categories: Record<string, string[]> = {
    南京市江宁区安心养老服务中心: ['elderly_disability', 'social_assistance'],
    成都市温江区同心社会工作服务中心: ['social_assistance', 'legal_aid', 'governance_support'],
    湖州市吴兴区绿荫公益基金会: ['charity_relief', 'culture_education'],
    江宁区邻里互助协会: ['elderly_disability', 'governance_support'],
    吴兴区夕阳红书画社: ['culture_education'],
  };

  await trx('organizations').insert({
    name: '吴兴区夕阳红书画社',
    credit_code: withCheckChar('51330502MJ7745673'),
    status: 'rejected',
    org_type: 'social_group',
    legal_representative: '钱国平',
    contact_person: '钱国平',
    contact_phone: '0572-211 4455',
    founded_on: '2023-02-14',
    certified_social_workers: 0,
    status_reason: '未上传登记证书，请补充后重新提交。',
    reviewed_at: at,
    created_at: at,
    updated_at: at,
  });

  const orgId = Object.fromEntries(
    (await trx('organizations').select('id', 'name')).map((r) => [r.name, Number(r.id)]),
  );
  const categoryId = Object.fromEntries(
    (await trx('service_categories').select('id', 'code')).map((r) => [r.code, Number(r.id)]),
  );
  for (const [name, profile] of Object.entries(profiles)) {
    if (orgId[name])
      await trx('organizations')
        .where({ id: orgId[name] })
        .update({ ...profile, updated_at: at });
  }
  const links = Object.entries(categories).flatMap(([name, codes]) =>
    orgId[name] ? codes.map((code) => ({ organization_id: orgId[name], service_category_id: categoryId[code] })) : [],
  );
  await trx('organization_service_categories').insert(links);
}
