import type { ReportRequest } from './schemas';

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The Beijing calendar year of an instant. */
export const shanghaiYear = (now: Date): number => new Date(now.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear();

/** The UTC instant (stored form) at which a Beijing date begins: 2026-01-01 → 2025-12-31T16:00:00.000Z. */
export function beijingDayStartUtc(date: string): string {
  return new Date(new Date(`${date}T00:00:00.000Z`).getTime() - SHANGHAI_OFFSET_MS).toISOString();
}

function nextDay(date: string): string {
  return new Date(new Date(`${date}T00:00:00.000Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
}

export type Period = ReportRequest['period'];

/** Stored-time bounds of a period, [from, to): the Beijing days it covers, converted to UTC. */
export function utcBounds(p: Period): { from: string; to: string } {
  if (p.kind === 'year')
    return { from: beijingDayStartUtc(`${p.year}-01-01`), to: beijingDayStartUtc(`${p.year + 1}-01-01`) };
  return { from: beijingDayStartUtc(p.from), to: beijingDayStartUtc(nextDay(p.to)) };
}

/** Beijing dates [from, to] inclusive. */
export function dateBounds(p: Period): { from: string; to: string } {
  return p.kind === 'year' ? { from: `${p.year}-01-01`, to: `${p.year}-12-31` } : { from: p.from, to: p.to };
}

/** The budget years a period touches (a range over New Year touches two). */
export function yearsOf(p: Period): number[] {
  if (p.kind === 'year') return [p.year];
  const out: number[] = [];
  for (let y = Number(p.from.slice(0, 4)); y <= Number(p.to.slice(0, 4)); y++) out.push(y);
  return out;
}

/** "2026" or "2026-03-01–2026-06-30", for titles and file names. */
export const periodLabel = (p: Period): string => (p.kind === 'year' ? String(p.year) : `${p.from}_${p.to}`);

/** The Beijing months (YYYY-MM) of a period, in order. */
export function monthsOf(p: Period): string[] {
  const { from, to } = dateBounds(p);
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) break;
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}
