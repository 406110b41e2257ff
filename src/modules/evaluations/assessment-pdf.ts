import { formatMoney } from '../../shared/money';
import { PdfWriter } from '../../pdf';
import type { ContractMilestone } from '../contracts';
import type { EvidenceFile, ReportRow } from './queries';
import { formatScore } from './score';
import { SOURCES, type PaymentConsequence, type Source, type WeightedResult } from './weighting';

const SOURCE_NAMES: Record<Source, string> = {
  self: '自评',
  manager: '街道评价',
  peer: '同行互评',
  citizen: '群众评价',
  third_party: '第三方评估',
};
const GRADE_NAMES = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' } as const;

export interface AssessmentInput {
  m: ContractMilestone;
  organizationName: string;
  report: ReportRow;
  evidence: EvidenceFile[];
  result: WeightedResult;
  comments: Partial<Record<Source, string | null>>;
  consequence: PaymentConsequence;
  closedAt: string;
  /** The manager's and third party's scores per evaluation indicator. */
  indicators?: { source: 'manager' | 'third_party'; position: number; name: string; weight: number; score: number }[];
}

/** The assessment report (评估报告), drawn with the PDF layer; deterministic for the same input. */
export async function renderAssessmentPdf(input: AssessmentInput): Promise<Buffer> {
  const { m, report, result } = input;
  const w = await PdfWriter.create({
    title: '评估报告',
    identifier: `合同编号 ${m.contract_number} · 第 ${m.seq} 期`,
    createdAt: input.closedAt,
  });
  w.title('评估报告', [m.contract_title, `${m.contract_number} · 第 ${m.seq} 期「${m.title}」`]);
  w.heading('合同与里程碑');
  w.keyValues([
    ['合同编号', m.contract_number],
    ['乙方', input.organizationName],
    ['里程碑', `第 ${m.seq} 期 ${m.title}`],
    ['到期日', m.due_date],
    ['本期金额', formatMoney(m.amount_fen)],
    ['合格分', String(m.pass_score)],
    [
      '部分支付规则',
      m.partial_rule === 'pro_rata' ? `${m.floor_score}–${m.pass_score} 分之间按比例支付` : '不部分支付',
    ],
  ]);
  w.heading('交付内容与进度报告摘要');
  const delivered = JSON.parse(report.delivered_json) as { deliverable: string; delivered: string }[];
  w.table(
    [
      { header: '交付内容', width: 1 },
      { header: '完成情况', width: 1.4 },
    ],
    delivered.map((d) => [d.deliverable, d.delivered]),
  );
  w.keyValues([
    ['报告版本', `第 ${report.version} 版`],
    ['服务人数', String(report.people_served ?? '')],
    ['服务场次', String(report.sessions_held ?? '')],
    ['遇到的问题', report.problems ?? '无'],
  ]);
  w.heading('各来源评分');
  const used = new Map(result.used.map((u) => [u.source, u]));
  w.table(
    [
      { header: '来源', width: 1 },
      { header: '合同权重', width: 0.7, align: 'right' },
      { header: '得分', width: 0.7, align: 'right' },
      { header: '实际权重', width: 0.8, align: 'right' },
      { header: '意见', width: 2.2 },
    ],
    SOURCES.map((s) => {
      const u = used.get(s);
      return [
        SOURCE_NAMES[s],
        String(weightOf(input.m, s)),
        u ? formatScore(u.score) : '缺失',
        u ? `${formatScore(u.usedWeight)}%` : '—',
        ((u || s === 'citizen') && input.comments[s]) || '',
      ];
    }),
  );
  w.paragraph(
    result.missing.length
      ? `缺失的来源：${result.missing.map((s) => SOURCE_NAMES[s]).join('、')}；其权重已按比例分配给其他来源（如上表“实际权重”）。`
      : '五个来源均已评分。',
  );
  const ind = input.indicators ?? [];
  if (ind.length) {
    w.heading('评价指标分项得分');
    const positions = [...new Map(ind.map((i) => [i.position, i])).values()].sort((a, b) => a.position - b.position);
    const of = (source: string, p: number) => ind.find((i) => i.source === source && i.position === p);
    w.table(
      [
        { header: '指标', width: 1.6 },
        { header: '权重', width: 0.5, align: 'right' },
        { header: '街道评价', width: 0.8, align: 'right' },
        { header: '第三方评估', width: 0.8, align: 'right' },
      ],
      positions.map((p) => [
        p.name,
        String(p.weight),
        formatScore(of('manager', p.position)?.score) || '—',
        formatScore(of('third_party', p.position)?.score) || '—',
      ]),
    );
  }
  w.heading('评估结果');
  const c = input.consequence;
  const pay =
    c.kind === 'full'
      ? `达到合格分，全额支付本期款 ${formatMoney(c.payableFen)}`
      : c.kind === 'partial'
        ? `未达合格分，按比例支付：${formatMoney(m.amount_fen)} ×（${formatScore(result.total)} − ${m.floor_score}）÷（${m.pass_score} − ${m.floor_score}）= ${formatMoney(c.payableFen)}（向下取整至分）`
        : `未达合格分，本期款 ${formatMoney(m.amount_fen)} 暂不支付`;
  w.keyValues([
    ['加权得分', formatScore(result.total)],
    ['等级', GRADE_NAMES[result.grade]],
  ]);
  // Drawn as shapes (the font subset has no ★), with the number in text.
  w.starRating('星级', result.stars, `${result.stars} 星（满分 5 星）`);
  w.keyValues([['付款结果', pay]]);
  w.heading('证明材料');
  w.table(
    [
      { header: '文件名', width: 1.4 },
      { header: '大小（字节）', width: 0.6, align: 'right' },
      { header: 'SHA-256', width: 2.4 },
    ],
    input.evidence.map((f) => [f.original_name, String(f.size_bytes), f.sha256]),
  );
  return w.finish();
}

function weightOf(m: ContractMilestone, s: Source): number {
  return {
    self: m.weight_self,
    manager: m.weight_manager,
    peer: m.weight_peer,
    citizen: m.weight_citizen,
    third_party: m.weight_third_party,
  }[s];
}
