import type { TFunction } from 'i18next';
import { formatMoney, fenToInput } from '../../shared/money';
import { formatDateTime, toShanghaiInput } from '../../shared/time';
import { FUND_SOURCES } from '../funds';
import type { AmendmentRow, CallRow } from './queries';
import { amountField, criterionNameField, criterionWeightField, weightField } from './schemas';
import type { Change } from './service';
import { CRITERION_ROWS, EVALUATION_SOURCES, type Criterion } from './weights';

/** The form's text values for an existing call. */
export function formValuesOf(
  call: CallRow,
  sources: { source: string; amount_fen: number }[],
  criteria: Criterion[],
): Record<string, string> {
  const values: Record<string, string> = {
    catalogItemId: String(call.catalog_item_id),
    title: call.title,
    description: call.description,
    fundingMode: call.funding_mode,
    method: call.method,
    budgetYear: String(call.budget_year),
    perProjectCap: call.per_project_cap_fen === null ? '' : fenToInput(Number(call.per_project_cap_fen)),
    opensAt: toShanghaiInput(call.opens_at),
    closesAt: toShanghaiInput(call.closes_at),
    publicityDays: String(call.publicity_days),
    maxAdvancePercent: String(call.max_advance_percent),
    reviewDays: String(call.review_days),
    citizenMinRatings: String(call.citizen_min_ratings),
  };
  for (const s of FUND_SOURCES) {
    const row = sources.find((x) => x.source === s);
    values[amountField(s)] = row ? fenToInput(Number(row.amount_fen)) : '';
  }
  for (const s of EVALUATION_SOURCES) values[weightField(s)] = String(call[`weight_${s}` as keyof CallRow]);
  for (let i = 1; i <= CRITERION_ROWS; i += 1) {
    values[criterionNameField(i)] = criteria[i - 1]?.name ?? '';
    values[criterionWeightField(i)] = criteria[i - 1] ? String(criteria[i - 1].weight) : '';
  }
  return values;
}

export function evaluationWeightsOf(call: CallRow): { source: string; weight: number }[] {
  return EVALUATION_SOURCES.map((s) => ({ source: s, weight: Number(call[`weight_${s}` as keyof CallRow]) }));
}

function show(field: Change['field'], value: unknown, t: TFunction, lang: string): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  switch (field) {
    case 'amounts':
      return Object.entries(value as Record<string, number>)
        .map(([s, fen]) => `${t(`funds.sources.${s}`)} ${formatMoney(fen)}`)
        .join('；');
    case 'perProjectCapFen':
      return formatMoney(Number(value));
    case 'opensAt':
    case 'closesAt':
      return formatDateTime(String(value), lang);
    case 'criteria':
      return (value as Criterion[]).map((c) => `${c.name} ${c.weight}`).join('；');
    case 'weights':
      return Object.entries(value as Record<string, number>)
        .map(([s, w]) => `${t(`calls.evaluation.${s}`)} ${w}`)
        .join('；');
    case 'fundingMode':
      return t(`calls.fundingMode.${value}`);
    case 'method':
      return t(`catalog.method.${value}`);
    case 'catalogItemId':
      return `#${value}`;
    case 'documents':
      return (value as string[]).join('、');
    default:
      return String(value);
  }
}

/** Amendments as the call page shows them: when, who, and each field's before and after. */
export function presentAmendments(rows: AmendmentRow[], t: TFunction, lang: string) {
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    occurredAt: r.occurred_at,
    userName: r.user_name,
    changes: (JSON.parse(r.changes_json) as Change[]).map((c) => ({
      label: t(`calls.fields.${c.field}`),
      before: c.field === 'documents' ? '' : show(c.field, c.before, t, lang),
      after: show(c.field, c.after, t, lang),
    })),
  }));
}
