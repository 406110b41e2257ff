import type { ContractPdfInput, ContractPdfMilestone } from '../src/pdf/contract-input';

/**
 * A realistic contract for the PDF tests and the PDF benchmark: about three A4 pages with the
 * default four milestones. `milestones` > 4 adds more (for tables that break across pages).
 */
export function sampleContract(options: { milestones?: number; ascii?: 'narrow' | 'wide' } = {}): ContractPdfInput {
  const count = options.milestones ?? 4;
  const weights = { self: 10, manager: 25, peer: 15, citizens: 25, thirdParty: 25 };
  const amountFen = 20_000_000; // ¥200,000.00
  const advanceFen = 6_000_000;
  const rest = amountFen - advanceFen;
  const milestones: ContractPdfMilestone[] = [
    {
      seq: 1,
      title: '首期款（预付款）',
      deliverables: '签订合同后十个工作日内完成项目团队组建、服务对象需求评估与建档，提交实施方案。',
      dueDate: '2027-01-31',
      amountFen: advanceFen,
      advance: true,
      passScore: null,
      partialRule: { kind: 'none' },
      weights: null,
    },
  ];
  const others = count - 1;
  const base = Math.floor(rest / others);
  for (let i = 0; i < others; i++) {
    const last = i === others - 1;
    milestones.push({
      seq: i + 2,
      title: last ? '末期评估' : i === 0 ? '中期评估' : `第${i + 1}阶段服务`,
      deliverables:
        `完成第${i + 1}阶段助餐、助浴、助洁服务不少于1,200人次，开展健康讲座与文体活动各4场，` +
        '提交服务台账、满意度调查报告和阶段总结；联系人李娜，电话138 1234 5678。',
      dueDate: last ? '2027-12-31' : `2027-${String(1 + ((i * 3 + 3) % 11)).padStart(2, '0')}-28`,
      amountFen: last ? rest - base * (others - 1) : base,
      advance: false,
      passScore: 80,
      partialRule: i % 2 === 0 ? { kind: 'pro_rata', floorScore: 60 } : { kind: 'none' },
      weights,
    });
  }
  const input: ContractPdfInput = {
    number: 'DS-2026-0007',
    version: 1,
    title: '东山街道社区居家养老服务项目购买合同',
    partyA: {
      name: '南京市江宁区东山街道办事处',
      legalRepresentative: '陈建国',
      address: '南京市江宁区东山街道上元大街 88 号',
    },
    partyB: {
      name: '南京市江宁区安心养老服务中心',
      creditCode: '52320115MJ5123456X',
      legalRepresentative: '周慧敏',
      address: '南京市江宁区东山街道竹山路 16 号',
      contactName: '李娜',
      contactPhone: '13812345678',
    },
    catalogItem: '养老服务 / 社区居家养老服务',
    serviceDescription:
      '乙方为东山街道辖区内六十周岁以上的独居、空巢、失能及半失能老年人提供社区居家养老服务，包括上门助餐、助浴、助洁、' +
      '助医、精神慰藉和紧急援助，建立“一人一档”服务台账，每月回访并记录服务对象满意度。服务覆盖辖区 12 个社区，' +
      '全年服务不少于 4,800 人次，其中上门服务不少于 3,000 人次。乙方应配备持证社会工作者不少于 3 名、护理员不少于 10 名，' +
      '建立 24 小时应急响应机制（服务热线 025-52281234），对服务中发现的安全隐患及时报告甲方。\n' +
      '乙方应按本合同约定的里程碑提交服务成果和佐证材料，接受甲方组织的中期评估和末期评估，并配合第三方评估机构的抽查回访。' +
      '乙方项目负责人周慧敏（身份证号 11010519491231002X）对项目实施全面负责。',
    amountFen,
    periodStart: '2027-01-01',
    periodEnd: '2027-12-31',
    sources: [
      { label: '2026 年度东山街道公益服务专项资金', amountFen: 14_000_000 },
      { label: '江宁区民政局福彩公益金补助', amountFen: 6_000_000 },
    ],
    milestones,
    signatures: {
      partyA: { signerName: '陈建国', signedAt: '2026-12-01T16:30:00.000Z' },
      partyB: { signerName: '周慧敏', signedAt: '2026-11-30T02:15:00.000Z' },
    },
    generatedAt: '2026-12-01T16:30:00.000Z',
  };
  return options.ascii ? toAscii(input, options.ascii === 'wide' ? 'W' : 'x') : input;
}

/**
 * The same document for Helvetica, with every non-ASCII character replaced by one ASCII character,
 * so every string keeps its length: words of five letters and a space, as ASCII prose breaks
 * (Chinese breaks between any two characters; unbroken ASCII runs would make pdfkit split words
 * letter by letter). 'x' is half as wide as a Han character (fewer lines), 'W' nearly as wide (the
 * same pages).
 */
function toAscii<T>(value: T, letter: string): T {
  if (typeof value === 'string') {
    let k = 0;
    return value.replace(/[^\x20-\x7e\n]/g, () => (k++ % 6 === 5 ? ' ' : letter)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => toAscii(v, letter)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAscii(v, letter)])) as T;
  return value;
}
