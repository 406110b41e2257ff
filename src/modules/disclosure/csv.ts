import type { Response } from 'express';

/** A CSV cell: quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' so spreadsheets never run it as a formula. */
export function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Sends rows as a UTF-8 CSV with a byte-order mark (so Excel opens Chinese correctly) and CRLF line ends. */
export function sendCsv(
  res: Response,
  filename: string,
  header: string[],
  rows: unknown[][],
  cacheControl: string,
): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"`);
  res.setHeader('Cache-Control', cacheControl);
  res.send('\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n');
}

/** Fen → "1234.56" (a plain number a spreadsheet reads; no currency sign, no thousands separator). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}
