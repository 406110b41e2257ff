import type { Knex } from 'knex';
import { describeEvents, sentenceText } from '../audit-trail';
import { recordAudit, type Actor } from '../../audit/audit';
import { PdfWriter } from '../../pdf';
import type { Clock } from '../../shared/clock';
import { NotFound } from '../../web/errors';
import type { SessionUser } from '../accounts/roles';
import { canReadContract } from '../contracts';
import { formatMoney } from '../../shared/money';
import { beijingDateTime, scoreText } from './export/model';
import { FUND_SOURCES } from '../funds';
import { paymentJournalQuery } from '../payments';
import { translator } from '../../web/i18n';
import { findingsOfContract } from './findings';
import { readableStreetIds } from './policy';

// The project's one money formatter: ¥1,234.56, a reversal as -¥1,234.56.
const yuan = (fen: unknown) => (fen === null || fen === undefined ? '' : formatMoney(Number(fen)));
const SETTLEMENT: Record<string, string> = { paid: '已支付', withheld: '不予支付', partial: '部分支付' };
const when = (iso: unknown) => (iso ? beijingDateTime(String(iso)) : '');
const score = (h: unknown) => (h === null || h === undefined ? '' : scoreText(Number(h)));

const T = {
  title: '合同档案',
  contract: '一、合同',
  versions: '二、合同版本',
  milestones: '三、付款节点',
  reports: '四、里程碑进度报告',
  evaluations: '五、评估',
  payments: '六、支付',
  findings: '七、审计意见',
  events: '八、审计日志（合同、支付与审计意见的事件，含哈希）',
  none: '（无）',
};
const STATUS: Record<string, string> = {
  draft: '草稿',
  sent: '待乙方确认',
  accepted: '乙方已确认',
  active: '履行中',
  completed: '已完成',
  terminated: '已终止',
  current: '现行',
  superseded: '已被取代',
  proposed: '待确认',
  rejected: '已拒绝',
  submitted: '已提交',
  returned: '已退回',
  open: '进行中',
  closed: '已完成',
  answered: '已答复',
};
const GRADE: Record<string, string> = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' };
const KIND: Record<string, string> = { release: '拨付', withheld: '不予支付', reversal: '追回' };
const SOURCE: Record<string, string> = {
  fiscal: '财政资金',
  lottery: '福彩公益金',
  development_fund: '专项发展基金',
  donation: '社会捐赠',
};
interface EventRow {
  id: number;
  occurred_at: string;
  actor_user_id: number | null;
  actor_label: string;
  actor_role: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  hash: string;
  prev_hash: string;
}

const st = (s: unknown) => STATUS[String(s)] ?? String(s ?? '');

/**
 * 合同档案: one PDF per contract (in Chinese, the language of the record) with the contract and its
 * versions, milestones, progress reports, evaluations, payments, the auditors' findings and their
 * answers, and the audit events of the contract with their hashes. For readers of the contract who
 * read reports (the street's auditors and managers, the administrator); anyone else 404, as for an
 * id that does not exist. The download is audited in the same transaction that reads the record.
 */
export async function contractDossier(
  deps: { db: Knex; clock: Clock },
  actor: Actor,
  user: SessionUser,
  contractId: number,
): Promise<{ bytes: Buffer; number: string }> {
  const now = deps.clock.now();
  const c = contractId
    ? await deps
        .db('contracts as c')
        .join('street_offices as s', 's.id', 'c.street_office_id')
        .join('organizations as o', 'o.id', 'c.organization_id')
        .where('c.id', contractId)
        .first('c.*', 's.name as street_name', 'o.name as organization_name', 'o.credit_code')
    : undefined;
  const scope = c && { ...c, street_office_id: Number(c.street_office_id), organization_id: Number(c.organization_id) };
  if (
    !scope ||
    !(await readableStreetIds(deps.db, user)).includes(scope.street_office_id) ||
    !canReadContract(user, scope)
  )
    throw new NotFound('reports.errors.noSuchContract');
  const db = deps.db;
  const [versions, milestones, reports, evaluations, payments, findings] = await Promise.all([
    db('contract_versions').where({ contract_id: contractId }).orderBy('version'),
    db('contract_milestones').where({ contract_id: contractId }).orderBy('seq'),
    db('milestone_reports')
      .where({ contract_id: contractId })
      .orderBy([{ column: 'milestone_seq' }, { column: 'version' }]),
    db('milestone_evaluations').where({ contract_id: contractId }).orderBy('milestone_seq'),
    // The journal's rows of this contract: with the voucher, the proposer and the approver.
    paymentJournalQuery(db, { streetOfficeIds: [scope.street_office_id] }).where(
      'p.contract_id',
      contractId,
    ) as Promise<Record<string, unknown>[]>,
    findingsOfContract(db, contractId),
  ]);
  // The contract's own events, and those of its payments, payment proposals and findings.
  const [paymentIds, proposalIds] = await Promise.all([
    db('payments').where({ contract_id: contractId }).pluck('id'),
    db('payment_proposals').where({ contract_id: contractId }).pluck('id'),
  ]);
  const subjects: [string, unknown[]][] = [
    ['contract', [contractId]],
    ['payment', paymentIds],
    ['payment_proposal', proposalIds],
    ['audit_finding', findings.map((f) => f.id)],
  ];
  const trail = await db('audit_events')
    .where((q) => {
      for (const [type, list] of subjects)
        if (list.length) q.orWhere((w) => w.where('subject_type', type).whereIn('subject_id', list.map(String)));
    })
    .orderBy('id')
    .select(
      'id',
      'occurred_at',
      'actor_user_id',
      'actor_label',
      'actor_role',
      'action',
      'subject_type',
      'subject_id',
      'hash',
      'prev_hash',
    );
  // Each event as the audit trail tells it (who, by name and username, did what to which record),
  // not the action's bare name: "起草了合同 …" said nothing of what was drafted.
  const described = await describeEvents(
    db,
    trail.map((e: Record<string, unknown>) => ({ ...(e as unknown as EventRow), id: Number(e.id) })),
    user,
    translator('zh-CN'),
    'zh-CN',
  );

  const w = await PdfWriter.create({
    title: `${T.title} ${c.number}`,
    identifier: `${T.title} · ${c.number} · ${beijingDateTime(now.toISOString())}`,
    createdAt: now.toISOString(),
  });
  w.title(`${T.title}`, [`${c.number} ${c.title}`]);
  w.heading(T.contract);
  w.keyValues([
    ['合同编号', c.number],
    ['甲方（街道）', c.street_name],
    ['乙方（社会组织）', `${c.organization_name}（${c.credit_code}）`],
    ['状态', st(c.status)],
    ['签订日期', c.signing_date ?? ''],
    ['合同 PDF SHA-256', c.pdf_sha256 ?? ''],
    ['盖章扫描件 SHA-256', c.scan_sha256 ?? ''],
    ['档案生成', `${beijingDateTime(now.toISOString())}（${actor.label}）`],
  ]);
  w.heading(T.versions);
  w.table(
    [
      { header: '版本', width: 1 },
      { header: '状态', width: 1.4 },
      { header: '金额', width: 2, align: 'right' },
      { header: '履行期限', width: 3 },
      { header: '提出', width: 2 },
      { header: '决定', width: 2 },
    ],
    versions.map((v) => [
      String(v.version),
      st(v.status),
      yuan(v.amount_fen),
      `${v.period_start} 至 ${v.period_end}`,
      when(v.proposed_at),
      when(v.decided_at),
    ]),
  );
  w.heading(T.milestones);
  w.table(
    [
      { header: '序号', width: 0.8 },
      { header: '节点', width: 3 },
      { header: '到期', width: 1.6 },
      { header: '金额', width: 2, align: 'right' },
      { header: '合格分', width: 1 },
      { header: '结算', width: 1.4 },
    ],
    milestones.map((m) => [
      String(m.seq),
      m.title,
      m.due_date,
      yuan(m.amount_fen),
      m.pass_score === null ? '—' : String(m.pass_score),
      m.settlement ? `${SETTLEMENT[m.settlement] ?? m.settlement} ${when(m.settled_at)}` : '未结算',
    ]),
  );
  w.heading(T.reports);
  if (reports.length)
    w.table(
      [
        { header: '节点', width: 0.8 },
        { header: '版本', width: 0.8 },
        { header: '状态', width: 1.2 },
        { header: '服务人次', width: 1.2 },
        { header: '自评分', width: 1 },
        { header: '提交时间', width: 2 },
      ],
      reports.map((r) => [
        String(r.milestone_seq),
        String(r.version),
        st(r.status),
        r.people_served === null ? '' : String(r.people_served),
        score(r.self_score),
        when(r.submitted_at),
      ]),
    );
  else w.paragraph(T.none);
  w.heading(T.evaluations);
  if (evaluations.length)
    w.table(
      [
        { header: '节点', width: 0.8 },
        { header: '状态', width: 1 },
        { header: '总分', width: 1 },
        { header: '等级', width: 1 },
        { header: '星级', width: 0.8 },
        { header: '通过', width: 0.8 },
        { header: '完成时间', width: 2 },
      ],
      evaluations.map((e) => [
        String(e.milestone_seq),
        st(e.status),
        score(e.total_score),
        GRADE[String(e.grade)] ?? '',
        e.stars ? String(e.stars) : '',
        e.passed === null ? '' : e.passed ? '是' : '否',
        when(e.closed_at),
      ]),
    );
  else w.paragraph(T.none);
  w.heading(T.payments);
  if (payments.length) {
    const signed = (p: Record<string, unknown>) => (p.kind === 'reversal' ? -1 : 1) * Number(p.amount_fen);
    w.table(
      [
        { header: '支付', width: 0.7 },
        { header: '类型', width: 0.8 },
        { header: '节点', width: 0.6 },
        { header: '金额', width: 1.6, align: 'right' },
        { header: '资金来源', width: 2.5 },
        { header: '经办人 / 审批人', width: 2.8 },
        { header: '审批时间', width: 1.5 },
        { header: '凭证号 / 付款日期', width: 2.3 },
      ],
      payments.map((p) => [
        `#${String(p.payment_id)}`,
        KIND[String(p.kind)] ?? String(p.kind),
        String(p.milestone_seq),
        yuan(signed(p)),
        FUND_SOURCES.filter((src) => Number(p[`${src}_fen`] ?? 0))
          .map((src) => `${SOURCE[src]} ${yuan((p.kind === 'reversal' ? -1 : 1) * Number(p[`${src}_fen`]))}`)
          .join('\n'),
        `${String(p.proposer_name ?? '')}\n${String(p.approver_name ?? '')}`,
        when(p.approved_at),
        p.voucher_ref ? `${String(p.voucher_ref)}\n${String(p.paid_on ?? '')}` : '未录入凭证',
      ]),
      {
        fontSize: 7.5,
        footerRows: [['合计', '', '', yuan(payments.reduce((a, p) => a + signed(p), 0)), '', '', '', '']],
      },
    );
  } else w.paragraph(T.none);
  w.heading(T.findings);
  if (findings.length)
    for (const f of findings) {
      w.paragraph(`【${st(f.status)}】${f.title}（${f.auditor_name}，${when(f.created_at)}）`);
      w.paragraph(f.body, { indent: true });
      if (f.answer)
        w.paragraph(`答复（${f.answerer_name ?? ''}，${when(f.answered_at)}）：${f.answer}`, { indent: true });
    }
  else w.paragraph(T.none);
  w.heading(T.events);
  if (described.length)
    w.table(
      [
        { header: '事件', width: 0.7 },
        { header: '时间', width: 1.4 },
        { header: '操作', width: 3.7 },
        { header: '哈希 / 前一哈希', width: 4.2 },
      ],
      described.map((e) => [
        `#${e.id}`,
        when(e.occurred_at),
        sentenceText(e.action, 'zh-CN', e.actor.name, e.subject?.name ?? ''),
        `${e.hash}\n${e.prev_hash}`,
      ]),
      { fontSize: 7 },
    );
  const bytes = await w.finish();
  await db.transaction((trx) =>
    recordAudit(
      trx,
      actor,
      {
        action: 'report.download',
        subjectType: 'contract',
        subjectId: contractId,
        streetOfficeId: scope.street_office_id,
        organizationId: scope.organization_id,
        after: { report: 'dossier', format: 'pdf', contract: c.number },
      },
      now,
    ),
  );
  return { bytes, number: c.number };
}
