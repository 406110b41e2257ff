import type { Writable } from 'node:stream';
import {
  beijingDateTime,
  fenToDecimal,
  fileColumns,
  rowsOf,
  scoreText,
  type Column,
  type ReportDocument,
  type Row,
} from './model';

const BOM = '\uFEFF';

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so that a spreadsheet never runs it as a formula. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function text(c: Column, v: Row[string]): string {
  if (v === null || v === undefined) return '';
  if (c.type === 'money') return fenToDecimal(Number(v));
  if (c.type === 'score') return scoreText(Number(v));
  if (c.type === 'datetime') return beijingDateTime(String(v));
  return String(v);
}

const line = (fields: string[]) => fields.map(csvField).join(',') + '\r\n';

/** Waits for the socket when its buffer is full (a long register streams at the client's pace). */
async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

/**
 * Streams the report as CSV in UTF-8 with a BOM (so that Excel reads the Chinese correctly): a
 * report of one section is one header row and its rows; the fund report's sections follow each other,
 * each after a line with its name and a blank line. The parameters come last, after a blank line.
 */
export async function writeCsv(doc: ReportDocument, out: Writable): Promise<void> {
  await write(out, BOM);
  const several = doc.sections.length > 1;
  for (const [i, s] of doc.sections.entries()) {
    if (several) await write(out, (i ? '\r\n' : '') + line([`# ${s.name}`]));
    const columns = fileColumns(s.columns);
    await write(out, line(columns.map((c) => c.header)));
    for await (const r of rowsOf(s.rows)) await write(out, line(columns.map((c) => text(c, r[c.key]))));
    if (s.total) await write(out, line(columns.map((c) => text(c, s.total![c.key]))));
  }
  await write(out, '\r\n');
  for (const [k, v] of doc.parameters) await write(out, line([`# ${k}`, v]));
  for (const a of doc.alerts) await write(out, line(['# !', a]));
}
