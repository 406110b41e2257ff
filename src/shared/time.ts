/** Times are stored as ISO-8601 UTC strings and shown in Asia/Shanghai (UTC+8, no daylight saving
 *  since 1991, so the offset is fixed and conversion needs no time-zone database). */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

export function toStored(date: Date): string {
  return date.toISOString();
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: DISPLAY_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** "2026-11-25 17:56" in Shanghai time, for either language (ISO-like order reads well in both). */
export function formatDateTime(value: string | Date | null | undefined, locale = 'zh-CN'): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return '';
  const parts = Object.fromEntries(
    formatter(locale, true)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function formatDate(value: string | Date | null | undefined, locale = 'zh-CN'): string {
  return formatDateTime(value, locale).slice(0, 10);
}

/** Reads "YYYY-MM-DDTHH:mm" (an <input type="datetime-local">) as Shanghai time; null if not a real time. */
export function parseShanghaiDateTime(input: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(input.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d, h, mi) - SHANGHAI_OFFSET_MS;
  const date = new Date(utc);
  // Reject 2026-02-30 and 25:00, which Date.UTC would silently roll over.
  const back = new Date(utc + SHANGHAI_OFFSET_MS);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h
  ) {
    return null;
  }
  return date;
}

/** The value for an <input type="datetime-local"> showing a stored time in Shanghai. */
export function toShanghaiInput(value: string | Date | null | undefined): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

/** The calendar year in Asia/Shanghai (UTC+8, no daylight saving) of a moment: budget years are
 *  Beijing years, so a call drafted at 07:00 on 1 January Beijing time belongs to the new year. */
export function shanghaiYear(now: Date): number {
  return new Date(now.getTime() + 8 * 60 * 60 * 1000).getUTCFullYear();
}

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai of a moment: a payment's date, an on-time check. */
export function shanghaiDate(moment: Date | string): string {
  const date = typeof moment === 'string' ? new Date(moment) : moment;
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
