import type { SeedContext } from '../src/db/seed';

/** A dozen 2026 catalogue items across the six categories: district-wide ones kept by the district
 *  administrator, and some per demo street office. Prices in fen. */
export async function seed({ trx, now }: SeedContext): Promise<void> {
  const at = now.toISOString();
  const category = Object.fromEntries((await trx('service_categories').select('id', 'code')).map((r) => [r.code, Number(r.id)]));
  const street = Object.fromEntries((await trx('street_offices').select('id', 'name')).map((r) => [r.name, Number(r.id)]));
  const admin = await trx('users').where({ username: 'admin' }).first('id');
  const item = (
    code: string,
    cat: string,
    streetName: string | null,
    name: string,
    description: string,
    standard: string,
    unit: string,
    priceYuan: number,
    methods: string,
  ) => ({
    code,
    category_id: category[cat],
    street_office_id: streetName ? street[streetName] : null,
    year: 2026,
    name,
    description,
    service_standard: standard,
    unit,
    guidance_price_fen: priceYuan * 100,
    methods,
    status: 'active',
    created_by: admin?.id ?? null,
    created_at: at,
    updated_at: at,
  });
  await trx('catalog_items').insert([
    item('YL-2026-01', 'elderly_disability', null, '居家养老上门服务', '为辖区高龄、独居、失能老人提供助餐、助洁、助浴、助医等上门服务。', '每次服务不少于1小时，服务记录由老人或家属签字确认，满意度不低于90%。', '人次', 80, 'contract_outsourcing,project_entrustment'),
    item('YL-2026-02', 'elderly_disability', null, '残疾人康复与日间照料', '为持证残疾人提供康复训练、日间照料和心理疏导。', '配备持证康复治疗师；每名服务对象建立个人康复档案。', '人·月', 600, 'contract_outsourcing,project_entrustment'),
    item('YL-2026-03', 'elderly_disability', '东山街道', '社区老年助餐点运营', '在东山街道社区运营老年助餐点，提供午餐配送和堂食。', '符合食品安全规范；每日供餐不少于80份。', '月', 25000, 'contract_outsourcing'),
    item('JZ-2026-01', 'social_assistance', null, '困难家庭个案帮扶', '为低保、低边家庭提供个案管理、资源链接和就业指导。', '每个个案每月走访不少于2次，建立完整个案档案。', '户·月', 300, 'contract_outsourcing,project_entrustment'),
    item('JZ-2026-02', 'social_assistance', '柳城街道', '流动儿童课后托管', '为柳城街道流动人口子女提供课后作业辅导与安全看护。', '师生比不低于1:10；每学期家长满意度调查。', '人·学期', 1200, 'project_entrustment,venture'),
    item('FL-2026-01', 'legal_aid', null, '社区法律顾问驻点', '律师每周在社区驻点，提供法律咨询、人民调解协助和普法讲座。', '每周驻点不少于半天；咨询记录完整可查。', '社区·年', 36000, 'contract_outsourcing'),
    item('FL-2026-02', 'legal_aid', '月河街道', '老年人防诈骗普法宣传', '面向月河街道老年居民开展防电信诈骗普法活动。', '全年不少于12场，每场参与不少于30人。', '场', 2000, 'project_entrustment,venture'),
    item('CS-2026-01', 'charity_relief', null, '慈善超市运营', '运营社区慈善超市，接收社会捐赠物资并向困难群众发放。', '物资出入库台账完整，每季度公示。', '年', 120000, 'contract_outsourcing,venture'),
    item('CS-2026-02', 'charity_relief', '东山街道', '临时救助应急物资储备', '为东山街道突发困难家庭储备和发放应急生活物资。', '24小时内响应；发放记录有受助人签字。', '批次', 15000, 'project_entrustment'),
    item('WJ-2026-01', 'culture_education', null, '社区读书会与公益课堂', '开展亲子阅读、社区公益课堂和传统文化活动。', '每月不少于4场活动，参与人次有签到记录。', '场', 1500, 'project_entrustment,venture'),
    item('WJ-2026-02', 'culture_education', '柳城街道', '青少年暑期成长营', '为柳城街道青少年开设暑期安全教育、艺术和体育课程。', '营期不少于4周，配备持证社工和安全员。', '人·期', 800, 'venture'),
    item('ZL-2026-01', 'governance_support', null, '社区社会组织孵化培育', '为社区社会组织提供注册辅导、能力建设和项目督导。', '全年孵化不少于5家社区社会组织，每家提供不少于20小时督导。', '家', 20000, 'contract_outsourcing,project_entrustment,venture'),
    item('ZL-2026-02', 'governance_support', '月河街道', '居民议事协商能力建设', '协助月河街道各社区建立居民议事会，开展协商议事培训。', '每个社区全年议事活动不少于6次，形成议事记录。', '社区·年', 18000, 'project_entrustment'),
  ]);
}
