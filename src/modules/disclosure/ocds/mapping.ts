import type { FundSource } from '../../funds';

/**
 * How this platform's words map to OCDS codelists (the README explains each choice).
 *
 * Procurement method (closed `method` codelist). Every call here is published on the public call
 * list with a deadline, and any approved organization that is not excluded may bid: that is an open
 * procedure whatever the purchasing form, so all three map to `open`, with the Chinese form in
 * `procurementMethodDetails`. Methods the platform does not run yet are mapped here already so the
 * day they arrive they cannot silently become `open`: 邀请招标 / 竞争性磋商 / 竞争性谈判 →
 * `selective` (only invited or pre-qualified suppliers bid), 询价 → `limited`, 单一来源 → `direct`.
 */
export const METHOD_MAP: Record<string, { method: 'open' | 'selective' | 'limited' | 'direct'; details: string }> = {
  contract_outsourcing: { method: 'open', details: '合同外包（公开发布项目公告，符合条件的社会组织均可申报）' },
  project_entrustment: { method: 'open', details: '项目委托（公开发布项目公告，符合条件的社会组织均可申报）' },
  venture: { method: 'open', details: '公益创投（公开征集项目，按评审排名择优资助）' },
  open_tender: { method: 'open', details: '公开招标' },
  invited_tender: { method: 'selective', details: '邀请招标' },
  competitive_consultation: { method: 'selective', details: '竞争性磋商' },
  competitive_negotiation: { method: 'selective', details: '竞争性谈判' },
  inquiry: { method: 'limited', details: '询价' },
  single_source: { method: 'direct', details: '单一来源' },
};

export function procurementMethod(method: string) {
  return METHOD_MAP[method] ?? { method: 'open' as const, details: method };
}

export const SOURCE_NAMES: Record<FundSource, string> = {
  fiscal: '财政资金',
  lottery: '福彩公益金',
  development_fund: '街道社会组织专项发展基金',
  donation: '社会捐赠',
};

/** Fen → the OCDS amount (a number of yuan, two decimals) in CNY. */
export function value(fen: number) {
  return { amount: Math.round(fen) / 100, currency: 'CNY' };
}

/** A Beijing calendar date (YYYY-MM-DD) as an OCDS date-time at the start (or end) of that day. */
export function beijingDate(date: string, end = false): string {
  return `${date}T${end ? '23:59:59' : '00:00:00'}+08:00`;
}

/** Contract status → closed `contractStatus` codelist: a completed or terminated contract has come to a close. */
export function contractStatus(status: string): 'active' | 'terminated' {
  return status === 'active' ? 'active' : 'terminated';
}

export const EXTENSIONS = [
  // planning.budget.budgetBreakdown: the budget by fund source.
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/extension.json',
  // implementation.transactions[].relatedImplementationMilestone: the milestone a payment pays.
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension/master/extension.json',
];
