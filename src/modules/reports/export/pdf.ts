import { PdfWriter } from '../../../pdf';
import { beijingDateTime, fenToDecimal, rowsOf, scoreText, type Column, type ReportDocument, type Row } from './model';

const RED = '#b00020';

/** Relative PDF widths: the spreadsheet's character widths would leave ¥1,234,567.89 and dates wrapping. */
const pdfWidth = (c: Column) =>
  c.type === 'money'
    ? Math.max(c.width, 17)
    : c.type === 'date' || c.type === 'datetime'
      ? Math.max(c.width, 14)
      : c.width;

function text(c: Column, v: Row[string]): string {
  if (v === null || v === undefined) return '';
  if (c.type === 'money') {
    const [whole, cents] = fenToDecimal(Number(v)).split('.');
    return `${whole.replace(/\B(?=(\d{3})+$)/g, ',')}.${cents}`;
  }
  if (c.type === 'score') return scoreText(Number(v));
  if (c.type === 'datetime') return beijingDateTime(String(v));
  return String(v);
}

/**
 * The report as a PDF through the shared PDF layer (src/pdf: fonts decoded once per process, A4 page
 * frame, tables that break across pages with their header repeated, totals kept with the last row).
 * A mismatch of the ledger check is printed in red at the top and its rows marked. Columns marked
 * `pdf: false` are left out (the spreadsheet and the CSV have them all).
 */
export async function renderReportPdf(doc: ReportDocument, createdAt: string): Promise<Buffer> {
  const w = await PdfWriter.create({ title: doc.title, identifier: doc.title, createdAt });
  w.title(doc.title);
  w.keyValues(doc.parameters);
  for (const a of doc.alerts) w.paragraph(a, { color: RED });
  for (const s of doc.sections) {
    w.heading(s.name);
    if (s.note) w.paragraph(s.note, { fontSize: 9 });
    const columns = s.columns.filter((c) => c.pdf !== false);
    const rows: string[][] = [];
    for await (const r of rowsOf(s.rows)) {
      const cells = columns.map((c) => text(c, r[c.key]));
      if (s.alertKey && r[s.alertKey]) cells[0] = `【不一致】${cells[0]}`;
      rows.push(cells);
    }
    const fontSize = columns.length > 6 ? 7.5 : 9;
    w.table(
      columns.map((c) => ({ header: c.header, width: pdfWidth(c), align: c.type === 'text' ? 'left' : 'right' })),
      rows,
      s.total ? { fontSize, footerRows: [columns.map((c) => text(c, s.total![c.key]))] } : { fontSize },
    );
  }
  return w.finish();
}
