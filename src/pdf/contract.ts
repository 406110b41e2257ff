import { amountInChineseCapitals, formatMoney } from '../shared/money';
import { redactPersonalData } from '../shared/redact';
import { formatDate } from '../shared/time';
import type {
  ContractPdfInput,
  ContractPdfMilestone,
  ContractPdfOptions,
  ContractPdfParty,
  EvaluationWeights,
} from './contract-input';
import { PdfWriter, type DocumentFrame, type SignatureBlock } from './document';

/**
 * The contract (服务购买合同) of one contract version, in Chinese, drawn from a plain snapshot.
 * Drafts carry the 草稿 / DRAFT watermark on every page; the redacted (public) version leaves out
 * personal phone numbers and scrubs phone and ID numbers from the free text.
 */

/** "2027-01-01" (a Beijing calendar date) -> "2027年1月1日". */
export function chineseDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) return isoDate;
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** An instant (ISO UTC) as its calendar date in Asia/Shanghai, "2026年12月1日". */
function shanghaiDate(instant: string | null): string {
  return instant ? chineseDate(formatDate(instant)) : '';
}

export function amountInWords(fen: number): string {
  return `人民币${amountInChineseCapitals(fen)}`;
}

const WEIGHT_LABELS: [keyof EvaluationWeights, string][] = [
  ['self', '自评'],
  ['manager', '街道评价'],
  ['peer', '同行评议'],
  ['citizens', '居民评价'],
  ['thirdParty', '第三方评估'],
];

function weightsText(w: EvaluationWeights): string {
  return WEIGHT_LABELS.filter(([k]) => w[k] > 0)
    .map(([k, label]) => `${label}${w[k]}%`)
    .join('、');
}

/** The short payment condition in the schedule table. */
function conditionCell(m: ContractPdfMilestone): string {
  if (m.advance) return '预付款：合同签订后支付，无需评估';
  if (m.passScore === null) return '经评估后支付';
  if (m.partialRule.kind === 'pro_rata') {
    return `合格分 ${m.passScore} 分；${m.partialRule.floorScore}–${m.passScore} 分之间按比例支付，不高于 ${m.partialRule.floorScore} 分不予支付`;
  }
  return `合格分 ${m.passScore} 分；低于合格分不予支付`;
}

/** The payment rule of one milestone, spelled out as a sentence of the terms. */
function paymentTerm(m: ContractPdfMilestone, clean: (s: string) => string): string {
  const head = `第 ${m.seq} 期「${clean(m.title)}」（金额 ${formatMoney(m.amountFen)}，${amountInWords(m.amountFen)}）`;
  if (m.advance) return `${head}为预付款（首期款），于本合同签订后支付，无需评估。`;
  const weights = m.weights ? `按以下权重计算综合得分：${weightsText(m.weights)}；` : '';
  if (m.passScore === null) return `${head}在该期成果经评估后支付，${weights.replace(/；$/, '。')}`;
  const full = `综合得分不低于 ${m.passScore} 分的，全额支付`;
  if (m.partialRule.kind === 'pro_rata') {
    const floor = m.partialRule.floorScore;
    return (
      `${head}在该期成果经评估后支付，${weights}${full}；得分低于 ${m.passScore} 分但高于 ${floor} 分的，按比例支付，` +
      `支付金额 = 该期金额 ×（得分 − ${floor}）÷（${m.passScore} − ${floor}），计算结果向下取整至分；` +
      `得分不高于 ${floor} 分的，该期款项不予支付。`
    );
  }
  return `${head}在该期成果经评估后支付，${weights}${full}；低于 ${m.passScore} 分的，该期款项不予支付。`;
}

function partyRows(
  role: string,
  party: ContractPdfParty,
  redacted: boolean,
  clean: (s: string) => string,
): [string, string][] {
  const rows: [string, string][] = [
    [role, party.name],
    ['统一社会信用代码', party.creditCode ?? ''],
    ['法定代表人', party.legalRepresentative],
    ['地址', clean(party.address)],
    ['联系人', party.contactName ?? ''],
    ['联系电话', redacted ? '' : (party.contactPhone ?? '')],
  ];
  // What a record does not have yet (an older street office without an address) is left out, not shown empty.
  return rows.filter(([, value], i) => i === 0 || value.trim() !== '');
}

/** The page frame of a contract: title, number and version in the header and footer, the draft watermark. */
export function contractFrame(input: ContractPdfInput, options: ContractPdfOptions): DocumentFrame {
  return {
    title: options.redacted ? redactPersonalData(input.title) : input.title,
    identifier: `合同编号 ${input.number} · 第 ${input.version} 版`,
    createdAt: input.generatedAt,
    watermark: options.draft ? '草稿 DRAFT' : null,
    headerNote: [options.redacted ? '公开版' : null, options.draft ? '草稿' : null].filter(Boolean).join(' · ') || null,
    author: input.partyA.name,
    subject: `${input.number} 第 ${input.version} 版`,
  };
}

/**
 * The PDF of one contract version. Deterministic: the same input and options give the same bytes
 * (the creation date is `input.generatedAt`), so the bytes of a signed contract can be hashed once.
 */
export async function renderContractPdf(input: ContractPdfInput, options: ContractPdfOptions): Promise<Buffer> {
  const w = await PdfWriter.create(contractFrame(input, options));
  drawContract(w, input, options);
  return w.finish();
}

/** Draws the contract's content into a writer (the benchmark draws it into a Helvetica writer too). */
export function drawContract(w: PdfWriter, input: ContractPdfInput, options: ContractPdfOptions): void {
  const clean = options.redacted ? (s: string) => redactPersonalData(s) : (s: string) => s;

  w.title(clean(input.title), [`合同编号：${input.number}\u3000\u3000版本：第 ${input.version} 版`]);
  if (options.draft) w.paragraph('本文本为草稿，尚未经双方签署，不具有合同效力。', { color: '#c8102e' });
  if (options.redacted)
    w.paragraph('本文本为公开版，已隐去个人联系电话、身份证件号码及个人住址。', { color: '#555555' });

  w.heading('合同双方');
  w.keyValues(partyRows('甲方（购买方）', input.partyA, options.redacted, clean), { labelWidth: 110 });
  w.keyValues(partyRows('乙方（承接方）', input.partyB, options.redacted, clean), { labelWidth: 110 });
  w.paragraph(
    '甲乙双方依据《中华人民共和国民法典》《中华人民共和国政府采购法》及政府购买服务的有关规定，' +
      '遵循平等、自愿、公平、诚实信用的原则，就甲方向乙方购买下列公共服务事宜，经协商一致，订立本合同。',
    { indent: true },
  );

  w.heading('一、服务内容');
  w.keyValues([['服务项目', clean(input.catalogItem)]], { labelWidth: 110 });
  w.paragraph(clean(input.serviceDescription), { indent: true });

  w.heading('二、合同金额与资金来源');
  w.paragraph(
    `本合同总金额为${amountInWords(input.amountFen)}（${formatMoney(input.amountFen)}），由以下资金来源支付：`,
    { indent: true },
  );
  const sourcesTotal = input.sources.reduce((s, x) => s + x.amountFen, 0);
  w.table(
    [
      { header: '序号', width: 1, align: 'center' },
      { header: '资金来源', width: 6 },
      { header: '金额（元）', width: 3, align: 'right' },
    ],
    input.sources.map((s, i) => [String(i + 1), clean(s.label), formatMoney(s.amountFen)]),
    { footerRows: [['', '合计', formatMoney(sourcesTotal)]] },
  );

  w.heading('三、服务期限');
  w.paragraph(`服务期限自${chineseDate(input.periodStart)}起至${chineseDate(input.periodEnd)}止。`, { indent: true });

  w.heading('四、里程碑与付款计划');
  const scheduleTotal = input.milestones.reduce((s, m) => s + m.amountFen, 0);
  w.table(
    [
      { header: '期次', width: 0.8, align: 'center' },
      { header: '里程碑', width: 2.2 },
      { header: '交付成果', width: 4.2 },
      { header: '到期日', width: 1.9, align: 'center' },
      { header: '金额（元）', width: 2.1, align: 'right' },
      { header: '付款条件', width: 3 },
    ],
    input.milestones.map((m) => [
      String(m.seq),
      clean(m.title),
      clean(m.deliverables),
      m.dueDate,
      formatMoney(m.amountFen),
      conditionCell(m),
    ]),
    { footerRows: [['', '合计', '', '', formatMoney(scheduleTotal), '']] },
  );

  w.heading('五、评估与付款');
  const terms = [
    '付款以评估为依据：除预付款外，各期款项在对应里程碑的成果经评估后支付。评估由自评、街道评价、同行评议、' +
      '居民评价和第三方评估组成，按约定权重计算综合得分（满分 100 分）。',
    ...input.milestones.map((m) => paymentTerm(m, clean)),
    '不予支付的款项不再支付，也不顺延至以后各期；各期支付金额之和不超过合同总金额。',
  ];
  terms.forEach((t, i) => w.paragraph(`${i + 1}. ${t}`));

  w.heading('六、合同变更与终止');
  w.paragraph(
    '1. 合同金额、服务期限或里程碑的变更，由甲方提出并说明理由，经乙方同意后形成新的合同版本，变更前的版本存档备查。合同金额不得低于已支付或已批准支付的金额。',
  );
  w.paragraph('2. 乙方严重违约或无法继续提供服务的，甲方可书面说明理由后终止本合同；终止时尚未支付的款项不再支付。');

  w.heading('七、其他约定');
  w.paragraph(
    '1. 本合同自双方签字盖章之日起生效。本电子文本由街道公益服务购买平台生成，其 SHA-256 摘要记录在平台；' +
      '双方加盖公章的纸质合同（盖章扫描件）与本文本一并存档，二者不一致的，以盖章纸质文本为准。',
  );
  w.paragraph('2. 本合同未尽事宜，由双方协商解决；协商不成的，依法向甲方所在地人民法院提起诉讼。');

  const signature = (
    label: string,
    party: ContractPdfParty,
    sig: ContractPdfInput['signatures']['partyA'],
  ): SignatureBlock => ({
    partyLabel: label,
    partyName: party.name,
    lines: [
      ['法定代表人或授权代表（签字）', sig.signerName ?? ''],
      ['签署日期', shanghaiDate(sig.signedAt)],
    ],
  });
  // The heading goes with the whole signature block (its height reserved), never alone at a page's foot.
  w.signatures(
    [
      signature('甲方（盖章）', input.partyA, input.signatures.partyA),
      signature('乙方（盖章）', input.partyB, input.signatures.partyB),
    ],
    '签署',
  );
}
