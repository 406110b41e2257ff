import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { fileColumns, rowsOf, type Column, type ReportDocument, type Row } from './model';

/** exceljs is loaded on the first spreadsheet, not at start-up: it is about a quarter of the app's
 *  module-loading time (bench/README.md, start-up profile), and most processes never write one. */
let loaded: typeof ExcelJS | undefined;
function excel(): typeof ExcelJS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('exceljs') as typeof ExcelJS;
  return loaded;
}

const NUM_FMT: Partial<Record<Column['type'], string>> = {
  money: '#,##0.00',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
  int: '0',
  score: '0.00',
};
const RED = { argb: 'FFC00000' };

/** A cell's value: yuan as a number (fen / 100), dates as Date (Beijing wall time), scores as numbers. */
function cellValue(c: Column, v: Row[string]): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  switch (c.type) {
    case 'money':
      return Number(v) / 100;
    case 'score':
      return Number(v) / 100;
    case 'int':
      return Number(v);
    case 'date':
      return new Date(`${String(v)}T00:00:00.000Z`);
    case 'datetime':
      // Excel has no time zones: store the Beijing wall time, as the page shows it.
      return new Date(new Date(String(v)).getTime() + 8 * 3600_000);
    default:
      return String(v);
  }
}

/**
 * Streams the report as .xlsx with exceljs's streaming writer: one sheet per section (header row in
 * bold, frozen below the header, column widths, yuan with two decimals as numeric cells, dates as
 * dates, the total row in bold) and a sheet of the report's parameters. Each row is committed as
 * it is written, so the workbook is never held in memory.
 */
export async function writeXlsx(doc: ReportDocument, out: Writable): Promise<void> {
  const wb = new (excel().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Streetfund';
  const usedNames = new Set<string>();
  const sheetName = (name: string) => {
    let n = name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31);
    for (let i = 2; usedNames.has(n); i++) n = `${name.slice(0, 28)} ${i}`;
    usedNames.add(n);
    return n;
  };
  for (const section of doc.sections) {
    const ws = wb.addWorksheet(sheetName(section.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    const columns = fileColumns(section.columns);
    ws.columns = columns.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width,
      style: NUM_FMT[c.type] ? { numFmt: NUM_FMT[c.type] } : {},
    }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const r of rowsOf(section.rows)) {
      const row = ws.addRow(columns.map((c) => cellValue(c, r[c.key])));
      if (section.alertKey && r[section.alertKey]) row.font = { color: RED, bold: true };
      row.commit();
    }
    if (section.total) {
      const row = ws.addRow(columns.map((c) => cellValue(c, section.total![c.key])));
      row.font = { bold: true };
      row.commit();
    }
    ws.commit();
  }
  const ps = wb.addWorksheet(sheetName('参数 Parameters'));
  ps.columns = [
    { header: '项目 Item', key: 'k', width: 24 },
    { header: '值 Value', key: 'v', width: 80 },
  ];
  ps.getRow(1).font = { bold: true };
  for (const [k, v] of doc.parameters) ps.addRow([k, v]).commit();
  for (const a of doc.alerts) {
    const row = ps.addRow(['!', a]);
    row.font = { color: RED, bold: true };
    row.commit();
  }
  ps.commit();
  await wb.commit();
}
