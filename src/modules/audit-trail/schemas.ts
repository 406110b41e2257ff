import type { TFunction } from 'i18next';
import type { EventFilters } from './queries';

/** What the filter form shows back, as typed. */
export interface FilterValues {
  street: string;
  user: string;
  action: string;
  subjectType: string;
  subjectId: string;
  from: string;
  to: string;
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** "2026-12-01" (a Beijing day) -> the UTC instant it starts; null when not a real date. */
export function beijingDayStartUtc(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (y < 2000 || y > 2100 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return new Date(utc - SHANGHAI_OFFSET_MS);
}

const text = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * The audit trail's query string: street office, user (username), action (a code or a group ending
 * in "."), subject type and id, and a date range in Beijing days (from ≤ to, both included). Returns
 * the filters with UTC bounds, or the errors in the reader's language (the page answers 422).
 */
export function parseFilters(
  query: Record<string, unknown>,
  t: TFunction,
): {
  values: FilterValues;
  filters: Omit<EventFilters, 'userId'> & { username?: string };
  errors: Record<string, string>;
} {
  const values: FilterValues = {
    street: text(query.street, 12),
    user: text(query.user, 64),
    action: text(query.action, 64),
    subjectType: text(query.subjectType, 40),
    subjectId: text(query.subjectId, 40),
    from: text(query.from, 10),
    to: text(query.to, 10),
  };
  const errors: Record<string, string> = {};
  const filters: Omit<EventFilters, 'userId'> & { username?: string } = {};
  if (values.street) {
    if (/^\d{1,9}$/.test(values.street)) filters.streetOfficeId = Number(values.street);
    else errors.street = t('auditTrail.filters.streetInvalid');
  }
  if (values.user) filters.username = values.user;
  if (values.action) {
    // A code without a dot names a group: "bid" = every bid.* action.
    if (/^[a-z_]+$/.test(values.action)) filters.action = `${values.action}.`;
    else if (/^[a-z_]+(\.[a-z_]+)*\.?$/.test(values.action)) filters.action = values.action;
    else errors.action = t('auditTrail.filters.actionInvalid');
  }
  if (values.subjectType) {
    if (/^[a-z_]{1,40}$/.test(values.subjectType)) filters.subjectType = values.subjectType;
    else errors.subjectType = t('auditTrail.filters.subjectTypeInvalid');
  }
  if (values.subjectId) {
    if (/^[0-9a-zA-Z_-]{1,40}$/.test(values.subjectId)) filters.subjectId = values.subjectId;
    else errors.subjectId = t('auditTrail.filters.subjectIdInvalid');
  }
  const from = values.from ? beijingDayStartUtc(values.from) : null;
  const to = values.to ? beijingDayStartUtc(values.to) : null;
  if (values.from && !from) errors.from = t('auditTrail.filters.dateInvalid', { value: values.from });
  if (values.to && !to) errors.to = t('auditTrail.filters.dateInvalid', { value: values.to });
  if (from && to && from > to) errors.to = t('auditTrail.filters.dateReversed');
  if (from) filters.fromUtc = from.toISOString();
  // "to" includes its whole day: up to the next Beijing midnight.
  if (to) filters.toUtc = new Date(to.getTime() + 24 * 60 * 60 * 1000).toISOString();
  return { values, filters, errors };
}

/** The filters as a query string (for the pager, the export link), without empty ones. */
export function filterQuery(values: FilterValues): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  const s = params.toString();
  return s ? `${s}&` : '';
}

/** ?before=123 / ?after=45 / ?last=1; anything odd means the first page. */
export function parseCursor(query: Record<string, unknown>): { before?: number; after?: number; last?: boolean } {
  const id = (v: unknown) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : undefined);
  if (query.last === '1') return { last: true };
  const after = id(query.after);
  if (after !== undefined) return { after };
  const before = id(query.before);
  return before !== undefined ? { before } : {};
}
