import type { TFunction } from 'i18next';
import { formatMoney } from '../../shared/money';
import { formatDateTime } from '../../shared/time';
import type { Language } from '../../web/i18n';
import { codedValue, isCode } from './values';

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
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { value: json };
  }
}

/** Fields that hold a user's id (`signed_by`, `reviewerId`): shown by the user's name. */
export const isUserField = (field: string) => /(_by|^user_id|^reviewer_id)$/.test(snake(field));

/** Every user id that the before/after name in such a field, so the page can look their names up at once. */
export function userIdsIn(...jsons: (string | null)[]): number[] {
  const ids = new Set<number>();
  const walk = (v: unknown, field: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, field));
    else if (v && typeof v === 'object') Object.entries(v as Record<string, unknown>).forEach(([k, x]) => walk(x, k));
    else if (typeof v === 'number' && Number.isSafeInteger(v) && isUserField(field)) ids.add(v);
  };
  for (const j of jsons) walk(parse(j), '');
  return [...ids];
}

/** Events name fields in snake_case or camelCase (`amount_fen`, `amountFen`): one form for labels and rules. */
const snake = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** A value as a reader reads it: fen as yuan, hundredths as a score, UTC times in Beijing time,
 *  yes/no, lists joined, and objects as labelled "field: value" pairs (nested ones the same way). */
function show(
  field: string,
  value: unknown,
  t: TFunction,
  lang: Language,
  users: Map<number, string>,
  subjectType: string | null,
): string {
  const key = snake(field);
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'number' && isUserField(field) && users.has(value)) return users.get(value)!;
  if (typeof value === 'number' && /_fen$/.test(key)) return formatMoney(value);
  if (typeof value === 'number' && /_hundredths$/.test(key)) return (value / 100).toFixed(2);
  if (typeof value === 'string' && /_at$/.test(key) && !Number.isNaN(Date.parse(value)))
    return formatDateTime(value, lang);
  if (typeof value === 'boolean') return t(value ? 'auditTrail.yes' : 'auditTrail.no');
  if (isCode(value)) return codedValue(key, value, t, subjectType) ?? value;
  const sep = lang === 'en' ? ', ' : '，';
  if (Array.isArray(value))
    return value.map((v) => show(field, v, t, lang, users, subjectType)).join(lang === 'en' ? '; ' : '；');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${label(k, t)}${lang === 'en' ? ': ' : '：'}${show(k, v, t, lang, users, subjectType)}`)
      .join(sep);
  }
  return String(value);
}

/** `street_office_id` (or `streetOfficeId`) -> its label in the reader's language; "street office id" when none is written. */
function label(field: string, t: TFunction): string {
  const key = snake(field);
  return t(`auditTrail.fields.${key}`, { defaultValue: key.replace(/_/g, ' ') });
}

/** Whether a field has a label of its own (not the fallback of its words): the coverage test asks. */
export function hasFieldLabel(field: string, t: TFunction): boolean {
  const key = `auditTrail.fields.${snake(field)}`;
  const text = t(key, { defaultValue: '' });
  return text !== '' && text !== key;
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * The before and after of an event as labelled rows, one per field in either, in the order the
 * event wrote them (before's fields first); `changed` marks a field whose value differs. Coded values
 * read as words (values.ts), `status` by the event's subject type.
 */
export function eventDiff(
  beforeJson: string | null,
  afterJson: string | null,
  t: TFunction,
  lang: Language,
  users: Map<number, string> = new Map(),
  subjectType: string | null = null,
): DiffRow[] {
  const before = parse(beforeJson);
  const after = parse(afterJson);
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields.map((field) => {
    const b = before ? before[field] : undefined;
    const a = after ? after[field] : undefined;
    return {
      field,
      label: label(field, t),
      before: show(field, b, t, lang, users, subjectType),
      after: show(field, a, t, lang, users, subjectType),
      // Absent, null and '' all read "—": a field empty before and after has not changed.
      changed: !(isEmpty(b) && isEmpty(a)) && JSON.stringify(b) !== JSON.stringify(a),
    };
  });
}
