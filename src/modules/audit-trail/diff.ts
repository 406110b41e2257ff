import type { TFunction } from 'i18next';
import { formatMoney } from '../../shared/money';
import { formatDateTime } from '../../shared/time';
import type { Language } from '../../web/i18n';

export interface DiffRow {
  field: string;
  label: string;
  before: string;
  after: string;
  changed: boolean;
}

function parse(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: json };
  }
}

/** A value as a reader reads it: fen as yuan, UTC times in Beijing time, yes/no, lists joined. */
function show(field: string, value: unknown, t: TFunction, lang: Language): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'number' && /_fen$/.test(field)) return formatMoney(value);
  if (typeof value === 'string' && /_at$/.test(field) && !Number.isNaN(Date.parse(value))) return formatDateTime(value, lang);
  if (typeof value === 'boolean') return t(value ? 'auditTrail.yes' : 'auditTrail.no');
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(lang === 'en' ? ', ' : '、');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `street_office_id` -> its label in the reader's language, or "street office id" when none is written. */
function label(field: string, t: TFunction): string {
  return t(`auditTrail.fields.${field}`, { defaultValue: field.replace(/_/g, ' ') });
}

/**
 * The before and after of an event as labelled rows, one per field in either, in the order the
 * event wrote them (before's fields first); `changed` marks a field whose value differs.
 */
export function eventDiff(beforeJson: string | null, afterJson: string | null, t: TFunction, lang: Language): DiffRow[] {
  const before = parse(beforeJson);
  const after = parse(afterJson);
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields.map((field) => {
    const b = before ? before[field] : undefined;
    const a = after ? after[field] : undefined;
    return { field, label: label(field, t), before: show(field, b, t, lang), after: show(field, a, t, lang), changed: JSON.stringify(b) !== JSON.stringify(a) };
  });
}
