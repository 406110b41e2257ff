import type { TFunction } from 'i18next';

/**
 * Where the coded values of an event's fields are translated (`fiscal` → 财政资金, `proposed` → 待审批).
 * The modules already name their codes in their own locale maps; an event's before/after reuses
 * them: a field's value is looked up in the maps listed for it, in order, the first that knows the
 * code wins. `status` means something else on every subject, so its map is chosen by the event's
 * subject type first. `auditTrail.values.<field>` (in both languages) comes first of all: a field
 * whose codes no module names, or a code a module's map lacks, is translated there.
 * `test/audit/field-labels.test.ts` fails on a field or a coded value that reaches the page raw.
 */
const FIELD_MAPS: Record<string, string[]> = {
  source: ['funds.sources', 'evaluations.source'],
  call_status: ['calls.status'],
  allowance: ['payments.allowanceKind'],
  kind: ['payments.kind', 'payments.milestone.invoiceKind', 'payments.allowanceKind'],
  decided_by: ['reviews.ranking.decidedBy'],
  grade: ['evaluations.grade'],
  subject_type: ['reports.findings.subjects', 'auditTrail.subjectTypes'],
  role: ['roles'],
};

const STATUS_MAPS: Record<string, string> = {
  call: 'calls.status',
  bid: 'bids.status',
  award: 'awards.status',
  contract: 'contracts.status',
  contract_version: 'contracts.versionStatus',
  milestone_report: 'evaluations.status',
  payment: 'payments.proposalStatus',
  payment_proposal: 'payments.proposalStatus',
  audit_finding: 'reports.findings.status',
};

/** A code: lower-case words joined by underscores (never free text, a name or a hash with digits). */
export const isCode = (value: unknown): value is string =>
  typeof value === 'string' && /^[a-z]+(_[a-z]+)*$/.test(value);

function mapsFor(field: string, subjectType: string | null): string[] {
  const maps = [`auditTrail.values.${field}`];
  if (field === 'status') {
    if (subjectType && STATUS_MAPS[subjectType]) maps.push(STATUS_MAPS[subjectType]);
    maps.push(...Object.values(STATUS_MAPS));
  }
  return [...maps, ...(FIELD_MAPS[field] ?? [])];
}

/** The reader's word for a coded value of a field (snake_case), or null when no map knows it. */
export function codedValue(field: string, value: string, t: TFunction, subjectType: string | null): string | null {
  for (const map of mapsFor(field, subjectType)) {
    const key = `${map}.${value}`;
    const text = t(key, { defaultValue: '' });
    if (typeof text === 'string' && text !== '' && text !== key) return text;
  }
  return null;
}
