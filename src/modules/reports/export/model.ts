/**
 * A report as the exports see it: parameters and sections of typed columns. Money is integer fen,
 * dates are Beijing dates (YYYY-MM-DD), times are stored UTC instants, scores are hundredths; each
 * writer turns them into its format (xlsx numeric cells, CSV text, PDF text). Rows may be an array
 * or an async iterable (a knex stream), so a long register is never held in memory by the xlsx and
 * CSV writers.
 */
export type ColumnType = 'text' | 'money' | 'date' | 'datetime' | 'int' | 'score';

export interface Column {
  key: string;
  header: string;
  type: ColumnType;
  /** Characters, for the spreadsheet; relative width in the PDF. */
  width: number;
  /** Left out of the PDF (an A4 page holds about nine columns); the spreadsheet and CSV have every column. */
  pdf?: false;
  /** Only in the PDF: a cell that joins what the spreadsheet and CSV give their own columns
   *  (who and when in one cell, the amount per source as lines), so an A4 page can hold it. */
  pdfOnly?: true;
}

/** The columns of a section in the spreadsheet and the CSV (every one but the PDF's joined cells). */
export const fileColumns = (columns: Column[]) => columns.filter((c) => !c.pdfOnly);

export type Row = Record<string, string | number | null | undefined>;

export interface Section {
  /** The sheet name and the heading. */
  name: string;
  columns: Column[];
  rows: Row[] | AsyncIterable<Row>;
  /** The total row (its money cells are the fen sums computed by the database). */
  total?: Row;
  /** Rows to show in red (a ledger mismatch): the key of a column holding a truthy flag. */
  alertKey?: string;
  note?: string;
}

export interface ReportDocument {
  title: string;
  /** The file name without extension, in Chinese (filename*) and ASCII (filename). */
  fileName: string;
  asciiName: string;
  /** Who, when, scope, period, ledger check. */
  parameters: [string, string][];
  sections: Section[];
  /** Shown in red at the top (a ledger mismatch, named). */
  alerts: string[];
}

/** 123456 → "1234.56"; -5 → "-0.05" (exact, from the integer). */
export function fenToDecimal(fen: number): string {
  const neg = fen < 0;
  const abs = BigInt(Math.abs(fen));
  const s = `${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** "2026-12-01T03:04:05.000Z" → "2026-12-01 11:04" (Beijing). */
export function beijingDateTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** 8750 → "87.50". */
export const scoreText = (hundredths: number) =>
  `${Math.trunc(hundredths / 100)}.${String(Math.abs(hundredths) % 100).padStart(2, '0')}`;

export async function* rowsOf(rows: Row[] | AsyncIterable<Row>): AsyncIterable<Row> {
  for await (const r of rows as AsyncIterable<Row>) yield r;
}
